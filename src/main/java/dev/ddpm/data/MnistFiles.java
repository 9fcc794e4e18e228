package dev.ddpm.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where MNIST's and Fashion-MNIST's IDX files are: a folder per data set under the data root, each
 * file as published ({@code *.gz}) or unpacked; missing ones are downloaded there.
 */
public final class MnistFiles {

    private static final Logger LOG = LoggerFactory.getLogger(MnistFiles.class);

    private MnistFiles() {}

    /**
     * The folder of a dataset under the data root: {@code data} and {@code mnist} give {@code
     * data/mnist}.
     */
    public static Path folder(Path dataRoot, String dataset) {
        return dataRoot.resolve(dataset);
    }

    /** Whether {@code dataDir} holds all the dataset's files, published or unpacked. */
    public static boolean hasAllFiles(Path dataDir) {
        return MnistDownloader.FILES.stream().allMatch(f -> find(dataDir, f) != null);
    }

    /**
     * Downloads the dataset's files that are missing from {@code dataDir} ({@code dataset} is
     * {@code mnist} or {@code fashion-mnist} and selects the mirrors and checksums).
     */
    public static void ensureFiles(Path dataDir, String dataset) {
        ensureFiles(dataDir, MnistDownloader.forDataset(dataset));
    }

    /** As {@link #ensureFiles(Path, String)}, with the given downloader. */
    public static void ensureFiles(Path dataDir, MnistDownloader downloader) {
        List<String> missing =
                MnistDownloader.FILES.stream().filter(f -> find(dataDir, f) == null).toList();
        if (!missing.isEmpty()) {
            LOG.info("{} missing in {}: downloading", String.join(", ", missing), dataDir);
            downloader.download(dataDir, missing);
        }
    }

    /**
     * The file published as {@code gzName} in {@code dataDir}, or its unpacked version.
     *
     * @throws DataException when there is neither, saying how to get it
     */
    static Path existing(Path dataDir, String gzName) {
        Path file = find(dataDir, gzName);
        if (file == null) {
            throw new DataException(
                    dataDir.resolve(gzName)
                            + " does not exist: 'ddpm train' downloads it, or copy"
                            + " the official file (or its unpacked version) there");
        }
        return file;
    }

    /** The published {@code *.gz} file, else its unpacked version, else null. */
    private static Path find(Path dataDir, String gzName) {
        Path gz = dataDir.resolve(gzName);
        Path unpacked = dataDir.resolve(gzName.substring(0, gzName.length() - ".gz".length()));
        return Files.exists(gz) ? gz : Files.exists(unpacked) ? unpacked : null;
    }
}
