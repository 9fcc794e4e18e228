package dev.ddpm.data;

import dev.ddpm.io.AtomicFiles;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads the IDX files of MNIST or Fashion-MNIST from a list of mirrors, tried in order. A file
 * is checked against its published MD5 while still in memory and only then written, atomically
 * (temporary file in the same folder, then rename), so a failed or corrupt download never leaves
 * anything under the final name, nor a temporary file.
 */
public final class MnistDownloader {

    private static final Logger LOG = LoggerFactory.getLogger(MnistDownloader.class);

    /** The four files of a dataset, as published (gzip IDX). */
    public static final List<String> FILES =
            List.of(
                    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    /** Base URLs (comma-separated) to try before the built-in mirrors, e.g. a local copy. */
    public static final String MIRRORS_ENV = "DDPM_DATA_MIRRORS";

    private static final List<String> MNIST_MIRRORS =
            List.of(
                    "https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/",
                    "http://yann.lecun.com/exdb/mnist/");
    private static final Map<String, String> MNIST_MD5 =
            Map.of(
                    "train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                    "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
                    "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
                    "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c",
                    // The unpacked files, which the loader reads too, are published without sums:
                    // these are
                    // `gunzip -c FILE.gz | md5sum` of the official files above.
                    "train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb",
                    "train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624",
                    "t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea",
                    "t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637");
    private static final List<String> FASHION_MIRRORS =
            List.of(
                    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/");
    private static final Map<String, String> FASHION_MD5 =
            Map.of(
                    "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                    "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
                    "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
                    "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310");

    /** Where a dataset is published, and the MD5 of each of its official files. */
    private record Published(List<String> mirrors, Map<String, String> md5) {}

    private static final Map<String, Published> PUBLISHED =
            Map.of(
                    "mnist", new Published(MNIST_MIRRORS, MNIST_MD5),
                    "fashion-mnist", new Published(FASHION_MIRRORS, FASHION_MD5));

    private final String dataset;
    private final List<URI> mirrors;
    private final Map<String, String> md5;
    private final Duration connectTimeout;
    private final Duration transferTimeout;
    private final HttpClient client;

    /**
     * @param dataset name used in messages
     * @param mirrors base URLs; a file's URL is the base followed by its name
     * @param md5 expected MD5 (lower-case hex) of each file that may be downloaded
     * @param connectTimeout bound on establishing a connection
     * @param transferTimeout bound on the whole transfer of one file
     */
    public MnistDownloader(
            String dataset,
            List<String> mirrors,
            Map<String, String> md5,
            Duration connectTimeout,
            Duration transferTimeout) {
        this.dataset = dataset;
        this.mirrors =
                mirrors.stream().map(m -> URI.create(m.endsWith("/") ? m : m + "/")).toList();
        this.md5 = Map.copyOf(md5);
        this.connectTimeout = connectTimeout;
        this.transferTimeout = transferTimeout;
        this.client =
                HttpClient.newBuilder()
                        .connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .build();
    }

    /**
     * The published mirrors and checksums of {@code mnist} or {@code fashion-mnist}, after those of
     * {@value #MIRRORS_ENV}.
     */
    public static MnistDownloader forDataset(String dataset) {
        List<String> mirrors = new ArrayList<>();
        String extra = System.getenv(MIRRORS_ENV);
        if (extra != null) {
            for (String m : extra.split(",")) {
                if (!m.isBlank()) {
                    mirrors.add(m.trim());
                }
            }
        }
        Published published = published(dataset);
        mirrors.addAll(published.mirrors());
        return new MnistDownloader(
                dataset, mirrors, published.md5(), Duration.ofSeconds(20), Duration.ofMinutes(10));
    }

    /**
     * The MD5 (lower-case hex) of each official file of {@code mnist} or {@code fashion-mnist}
     * whose sum is known, by file name: the published {@code *.gz} files and, for MNIST, their
     * unpacked versions.
     */
    static Map<String, String> officialMd5(String dataset) {
        return published(dataset).md5();
    }

    private static Published published(String dataset) {
        Published published = PUBLISHED.get(dataset);
        if (published == null) {
            throw new DataException(
                    "unknown dataset '" + dataset + "': expected mnist or fashion-mnist");
        }
        return published;
    }

    /** The same dataset and checksums, fetched from {@code mirrors} instead. */
    public MnistDownloader withMirrors(List<String> mirrors) {
        return new MnistDownloader(dataset, mirrors, md5, connectTimeout, transferTimeout);
    }

    /**
     * Downloads {@code files} into {@code dir}. Fails on the first file that no mirror delivers
     * intact, with one message saying which files to put where by hand.
     */
    public void download(Path dir, List<String> files) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DataException(
                    "cannot create the data folder " + dir + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < files.size(); i++) {
            String problems = downloadOne(dir, files.get(i));
            if (problems != null) {
                List<String> missing = files.subList(i, files.size());
                throw new DataException(
                        "cannot download "
                                + files.get(i)
                                + " of "
                                + dataset
                                + " ("
                                + problems
                                + "). Without network, copy the official "
                                + dataset
                                + " files "
                                + String.join(", ", missing)
                                + " into "
                                + dir.toAbsolutePath().normalize());
            }
        }
    }

    /** Null when the file was written, else what went wrong at each mirror. */
    private String downloadOne(Path dir, String file) {
        String expected = md5.get(file);
        if (expected == null) {
            throw new IllegalArgumentException("no checksum known for " + file);
        }
        List<String> problems = new ArrayList<>();
        for (URI base : mirrors) {
            URI uri = base.resolve(file);
            byte[] body;
            try {
                body = fetch(uri);
            } catch (IOException e) {
                problems.add(uri + ": " + e.getMessage());
                continue;
            }
            String actual = md5(body);
            if (!actual.equals(expected)) {
                problems.add(
                        uri
                                + ": checksum mismatch (MD5 "
                                + actual
                                + ", expected "
                                + expected
                                + ")");
                continue;
            }
            Path target = dir.resolve(file);
            try {
                AtomicFiles.write(target, out -> out.write(body));
            } catch (IOException e) {
                throw new DataException("cannot write " + target + ": " + e.getMessage(), e);
            }
            LOG.info("downloaded {} ({} bytes, MD5 ok) from {}", target, body.length, uri);
            return null;
        }
        return String.join("; ", problems);
    }

    /**
     * The body of a 200 answer; any other outcome is an IOException whose message says what
     * happened.
     */
    private byte[] fetch(URI uri) throws IOException {
        LOG.info("downloading {}", uri);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(transferTimeout).GET().build();
        CompletableFuture<HttpResponse<byte[]>> answer =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> response;
        try {
            response = answer.get(transferTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new IOException(
                    "no complete answer within " + transferTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new DataException("download of " + uri + " interrupted");
        } catch (ExecutionException e) {
            throw new IOException(describe(e.getCause()), e.getCause());
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        return response.body();
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "failed";
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connection timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer in time";
        }
        if (e instanceof ConnectException) {
            return "cannot connect" + (e.getMessage() != null ? " (" + e.getMessage() + ")" : "");
        }
        if (e instanceof UnknownHostException
                || e instanceof UnresolvedAddressException
                || e.getCause() instanceof UnresolvedAddressException) {
            return "host not found (no network?)";
        }
        return e.getMessage() != null
                ? e.getClass().getSimpleName() + ": " + e.getMessage()
                : e.getClass().getSimpleName();
    }

    static String md5(byte[] content) {
        return HexFormat.of().formatHex(newMd5().digest(content));
    }

    static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }
}
