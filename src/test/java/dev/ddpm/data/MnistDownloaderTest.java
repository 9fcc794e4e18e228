package dev.ddpm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against an HTTP server on the loopback interface. */
class MnistDownloaderTest {

    @TempDir Path dir;

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
    }

    /** Serves {@code files} (name to content) under {@code /mnist/}; anything else is a 404. */
    private String serve(Map<String, byte[]> files) throws IOException {
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/",
                exchange -> {
                    String path = exchange.getRequestURI().getPath();
                    requests.add(path);
                    byte[] body =
                            path.startsWith("/mnist/")
                                    ? files.get(path.substring("/mnist/".length()))
                                    : null;
                    if (body == null) {
                        exchange.sendResponseHeaders(404, -1);
                    } else {
                        exchange.sendResponseHeaders(200, body.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(body);
                        }
                    }
                    exchange.close();
                });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/mnist/";
    }

    private static MnistDownloader downloader(List<String> mirrors, Map<String, String> md5) {
        return new MnistDownloader(
                "mnist", mirrors, md5, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    private static Map<String, String> md5Of(Map<String, byte[]> files) {
        Map<String, String> md5 = new HashMap<>();
        files.forEach((name, content) -> md5.put(name, MnistDownloader.md5(content)));
        return md5;
    }

    @Test
    void downloadsTheOfficialFilesAndTheyLoad() throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        for (String name : MnistDownloader.FILES) {
            files.put(name, Files.readAllBytes(MnistDatasetTest.MNIST.resolve(name)));
        }
        // The first mirror lacks the files, so the second one serves them.
        String empty = serve(Map.of());
        String full = serve(files);
        Path target = dir.resolve("data/mnist");
        // With the published checksums of MNIST that the toolkit knows.
        MnistFiles.ensureFiles(
                target, MnistDownloader.forDataset("mnist").withMirrors(List.of(empty, full)));
        for (String name : MnistDownloader.FILES) {
            assertArrayEquals(files.get(name), Files.readAllBytes(target.resolve(name)), name);
        }
        assertEquals(List.of(), leftovers(target, MnistDownloader.FILES));
        assertEquals(10_000, MnistDataset.load(target, false).size());

        // Present files are not fetched again.
        requests.clear();
        MnistFiles.ensureFiles(target, downloader(List.of(full), md5Of(files)));
        assertEquals(List.of(), requests);
    }

    @Test
    void aChecksumMismatchLeavesNothingBehind() throws IOException {
        byte[] good = IdxFiles.gzip(IdxFiles.labels(1, 2, 3));
        byte[] tampered = good.clone();
        tampered[tampered.length - 1] ^= 1;
        String mirror = serve(Map.of("train-labels-idx1-ubyte.gz", tampered));
        MnistDownloader d =
                downloader(
                        List.of(mirror),
                        Map.of("train-labels-idx1-ubyte.gz", MnistDownloader.md5(good)));
        DataException e =
                assertThrows(
                        DataException.class,
                        () -> d.download(dir, List.of("train-labels-idx1-ubyte.gz")));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(
                e.getMessage().contains("expected " + MnistDownloader.md5(good)), e.getMessage());
        assertTrue(e.getMessage().contains("into " + dir.toAbsolutePath()), e.getMessage());
        assertEquals(List.of(), leftovers(dir, List.of()), "no file, no temporary file");
    }

    @Test
    void aServerThatIsGoneGivesOneClearMessageSayingWhatToPutWhere() throws IOException {
        String mirror = serve(Map.of());
        servers.remove(0).stop(0);
        Map<String, String> md5 = new HashMap<>();
        MnistDownloader.FILES.forEach(f -> md5.put(f, "0".repeat(32)));
        Path target = dir.resolve("mnist");
        IdxFiles.write(
                target.resolve("train-images-idx3-ubyte"),
                new byte[] {1}); // unpacked copy counts as present
        DataException e =
                assertThrows(
                        DataException.class,
                        () -> MnistFiles.ensureFiles(target, downloader(List.of(mirror), md5)));
        String m = e.getMessage();
        assertTrue(
                m.startsWith(
                        "cannot download train-labels-idx1-ubyte.gz of mnist ("
                                + mirror
                                + "train-labels-idx1-ubyte.gz: cannot connect"),
                m);
        assertTrue(
                m.endsWith(
                        "copy the official mnist files train-labels-idx1-ubyte.gz,"
                                + " t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz into "
                                + target.toAbsolutePath()),
                m);
        assertTrue(!m.contains("\n"), m);
        assertEquals(List.of(), leftovers(target, List.of("train-images-idx3-ubyte")));
    }

    @Test
    void unknownDatasetsAreRefused() {
        DataException e =
                assertThrows(DataException.class, () -> MnistDownloader.forDataset("cifar"));
        assertEquals("unknown dataset 'cifar': expected mnist or fashion-mnist", e.getMessage());
    }

    /** Files in {@code folder} other than {@code expected}. */
    private static List<String> leftovers(Path folder, List<String> expected) throws IOException {
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> !expected.contains(n))
                    .sorted()
                    .toList();
        }
    }
}
