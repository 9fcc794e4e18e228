package dev.ddpm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ddpm.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dataset files are checked against the MD5 of the official files and against the folder's MD5SUMS.
 */
class MnistChecksumTest {

    private static final String LABELS = "t10k-labels-idx1-ubyte";
    private static final String IMAGES = "t10k-images-idx3-ubyte";
    private static final String REMEDY =
            ": it is corrupt or modified; delete it and 'ddpm train' downloads it again,"
                    + " or copy the official file there";

    @TempDir Path dir;

    @Test
    void unpackedOfficialFilesLoad() throws IOException {
        Path labels = unpack(LABELS);
        Path images = unpack(IMAGES);
        assertEquals(
                "27ae3e4e09519cfbb04c329615203637",
                MnistDownloader.md5(Files.readAllBytes(labels)));
        assertEquals(
                "2646ac647ad5339dbf082846283269ea",
                MnistDownloader.md5(Files.readAllBytes(images)));
        assertEquals(10_000, MnistDataset.load(dir, "mnist", false).size());
        assertEquals(10_000, MnistDataset.load(dir, false).size());
    }

    /**
     * Label 100 of the test split turns from 6 into 7: a valid file that only the checksum tells
     * apart.
     */
    @Test
    void aFlippedByteInAnUnpackedFileFailsTheChecksum() throws IOException {
        Path labels = unpack(LABELS);
        unpack(IMAGES);
        byte[] content = Files.readAllBytes(labels);
        content[8 + 100] ^= 1;
        Files.write(labels, content);
        String expected =
                labels
                        + " does not match the official file (MD5 "
                        + MnistDownloader.md5(content)
                        + ", expected 27ae3e4e09519cfbb04c329615203637)"
                        + REMEDY;
        assertEquals(expected, failure(() -> MnistDataset.load(dir, "mnist", false)));
        assertEquals(expected, failure(() -> MnistDataset.load(dir, false)));
    }

    /**
     * The gzip decoder ignores bytes after the compressed data, so only the checksum notices them;
     * more of them than the reader buffers, so that the checksum must cover bytes the decoder never
     * asked for.
     */
    @Test
    void junkAfterTheGzipDataFailsTheChecksum() throws IOException {
        copy(IMAGES + ".gz");
        Path labels = copy(LABELS + ".gz");
        Files.write(labels, "junk".repeat(100_000).getBytes(), StandardOpenOption.APPEND);
        assertEquals(10_000, IdxReader.readLabels(labels).length);
        String md5 = MnistDownloader.md5(Files.readAllBytes(labels));
        assertEquals(
                labels
                        + " does not match the official file (MD5 "
                        + md5
                        + ", expected"
                        + " ec29112dd5afa0611ce80d1b7f02629c)"
                        + REMEDY,
                failure(() -> MnistDataset.load(dir, "mnist", false)));
    }

    @Test
    void theOtherDatasetsFilesFail() throws IOException {
        dir = Files.createDirectory(dir.resolve("fashion-mnist"));
        copy(IMAGES + ".gz");
        Path labels = copy(LABELS + ".gz");
        assertEquals(
                labels
                        + " does not match the official file (MD5 ec29112dd5afa0611ce80d1b7f02629c,"
                        + " expected bb300cfdad3c16e7a12a480ee83cd310)"
                        + REMEDY,
                failure(() -> MnistDataset.load(dir, false)));
    }

    @Test
    void aWrongSumInTheFoldersMd5sumsFailsAnOfficialFile() throws IOException {
        copy(IMAGES + ".gz");
        Path labels = copy(LABELS + ".gz");
        Path listing =
                Files.writeString(
                        dir.resolve("MD5SUMS"),
                        "9fb629c4189551a2d022fa330f9573f3  data/mnist/"
                                + IMAGES
                                + ".gz\n"
                                + "0".repeat(32)
                                + "  data/mnist/"
                                + LABELS
                                + ".gz\n");
        assertEquals(
                labels
                        + " is the official file (MD5 ec29112dd5afa0611ce80d1b7f02629c) but "
                        + listing
                        + " lists "
                        + "0".repeat(32)
                        + " for it: correct or delete that line of "
                        + listing,
                failure(() -> MnistDataset.load(dir, "mnist", false)));
    }

    /**
     * Unpacked Fashion-MNIST files have no published sums: only an MD5SUMS in their folder checks
     * them.
     */
    @Test
    void md5sumsChecksFilesThatHaveNoOfficialSum() throws IOException {
        byte[] labelContent = IdxFiles.labels(3, 1, 4);
        Path labels = IdxFiles.write(dir.resolve(LABELS), labelContent);
        Path images = IdxFiles.write(dir.resolve(IMAGES), IdxFiles.images(3, 28, 28, 5));
        assertEquals(3, MnistDataset.load(dir, "fashion-mnist", false).size());

        String labelsMd5 = MnistDownloader.md5(labelContent).toUpperCase();
        String imagesMd5 = MnistDownloader.md5(Files.readAllBytes(images));
        Path listing =
                Files.writeString(
                        dir.resolve("MD5SUMS"),
                        labelsMd5
                                + " *fashion/"
                                + LABELS
                                + "\r\n\r\n"
                                + imagesMd5
                                + "  "
                                + IMAGES
                                + "\r\n");
        assertArrayEquals(
                new int[] {3, 1, 4}, labelsOf(MnistDataset.load(dir, "fashion-mnist", false)));

        labelContent[9] = 2;
        Files.write(labels, labelContent);
        assertEquals(
                labels
                        + " does not match the official file (MD5 "
                        + MnistDownloader.md5(labelContent)
                        + ", expected "
                        + labelsMd5.toLowerCase()
                        + " as listed in "
                        + listing
                        + ")"
                        + REMEDY,
                failure(() -> MnistDataset.load(dir, "fashion-mnist", false)));

        Files.writeString(listing, imagesMd5 + "  " + IMAGES + "\n" + "not a checksum line\n");
        assertEquals(
                listing
                        + " line 2 is not '<md5>  <file>' as md5sum writes it; correct or delete"
                        + " that line",
                failure(() -> MnistDataset.load(dir, "fashion-mnist", false)));
    }

    /**
     * The one-line message of the DataException that {@code call} throws, which the CLI reports as
     * a user error.
     */
    private static String failure(org.junit.jupiter.api.function.Executable call) {
        DataException e = assertThrows(DataException.class, call);
        assertInstanceOf(UserException.class, e);
        assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
        return e.getMessage();
    }

    private Path copy(String name) throws IOException {
        return Files.copy(MnistDatasetTest.MNIST.resolve(name), dir.resolve(name));
    }

    /** The repository's official {@code name.gz}, unpacked into the test's folder. */
    private Path unpack(String name) throws IOException {
        try (InputStream in =
                new GZIPInputStream(
                        Files.newInputStream(MnistDatasetTest.MNIST.resolve(name + ".gz")))) {
            return Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    private static int[] labelsOf(LabeledImages dataset) {
        int[] labels = new int[dataset.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = dataset.label(i);
        }
        return labels;
    }
}
