package dev.ddpm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real MNIST files of the repository's {@code data/mnist}. */
class MnistDatasetTest {

    static final Path MNIST = Path.of("data/mnist");

    static LabeledImages train;
    static LabeledImages test;

    @TempDir Path dir;

    @BeforeAll
    static void load() {
        train = MnistDataset.load(MNIST, true);
        test = MnistDataset.load(MNIST, false);
    }

    /** Lets the collector have the 70,000 images: later tests force collections. */
    @AfterAll
    static void release() {
        train = null;
        test = null;
    }

    @Test
    void aLimitKeepsTheFirstImagesExactlyAsTheWholeSplitHasThem() {
        LabeledImages first = MnistDataset.load(MNIST, "mnist", true, 100);
        assertEquals(100, first.size());
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(train.pixels(i), first.pixels(i), "image " + i);
            assertEquals(train.label(i), first.label(i), "label " + i);
        }
    }

    @Test
    void theRepositoryHoldsTheOfficialFiles() throws IOException {
        for (String line : Files.readAllLines(MNIST.resolve("MD5SUMS"))) {
            String[] parts = line.trim().split("\\s+");
            Path file = MNIST.resolve(Path.of(parts[1]).getFileName());
            assertEquals(parts[0], MnistDownloader.md5(Files.readAllBytes(file)), file.toString());
        }
    }

    @Test
    void splitSizesAndLabelCountsAreTheKnownOnes() {
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertArrayEquals(
                new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
                histogram(train));
        assertArrayEquals(
                new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, histogram(test));
        assertEquals(5, train.label(0));
        assertEquals(7, test.label(0));
    }

    @Test
    void rawTrainPixelsHaveTheKnownMeanAndStd() {
        IdxImages raw = IdxReader.readImages(MNIST.resolve("train-images-idx3-ubyte.gz"));
        assertEquals(60_000, raw.count());
        assertEquals(28, raw.rows());
        assertEquals(28, raw.cols());
        double sum = 0;
        double sumSq = 0;
        for (byte b : raw.pixels()) {
            double v = (b & 0xff) / 255.0;
            sum += v;
            sumSq += v * v;
        }
        double n = raw.pixels().length;
        double mean = sum / n;
        assertEquals(33.318421 / 255, mean, 1e-8);
        assertEquals(0.1306604762, mean, 1e-9);
        assertEquals(0.3081078, Math.sqrt(sumSq / n - mean * mean), 1e-6);
    }

    /**
     * SHA-256 of all resized images as Pillow 9.4's {@code Image.resize((32, 32), BILINEAR)} gives
     * them.
     */
    @Test
    void resizingIsPillowsBilinearExactly() throws Exception {
        assertEquals(
                "e2ed02ba3cec0dca9783366b9eb047f61b43620eecb6fd5bd0da3f7cedd17594", sha256(train));
        assertEquals(
                "750966a83c3f66b21f310636df69984b116407e280d0e2fc2f606aa33c6749cc", sha256(test));
        byte[] first = train.pixels(0);
        int[] row10 = new int[32];
        for (int x = 0; x < 32; x++) {
            row10[x] = first[10 * 32 + x] & 0xff;
        }
        assertArrayEquals(
                new int[] {
                    0, 0, 0, 0, 0, 0, 0, 0, 5, 101, 166, 167, 197, 253, 247, 211, 79, 59, 92, 148,
                    102, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
                },
                row10);
    }

    @Test
    void batchesArePreprocessedOnTheManagersDevice() {
        int[] indices = {59_999, 0, 7, 7, 12_345};
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDList batch = train.batch(manager, indices);
            assertEquals(
                    2, manager.getManagedArrays().size(), "no intermediate arrays left behind");
            NDArray images = batch.get(0);
            NDArray labels = batch.get(1);
            assertEquals(new Shape(5, 1, 32, 32), images.getShape());
            assertEquals(DataType.FLOAT32, images.getDataType());
            assertEquals(DataType.INT64, labels.getDataType());
            assertEquals(new Shape(5), labels.getShape());
            assertEquals(Device.cpu(), images.getDevice());
            float[] values = images.toFloatArray();
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int i = 0; i < indices.length; i++) {
                byte[] pixels = train.pixels(indices[i]);
                for (int p = 0; p < 1024; p++) {
                    float expected = ((pixels[p] & 0xff) / 255f - 0.5f) / 0.5f;
                    assertEquals(expected, values[i * 1024 + p], 0f);
                }
            }
            for (float v : values) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertEquals(-1f, min);
            assertEquals(1f, max);
            long[] expectedLabels = new long[indices.length];
            for (int i = 0; i < indices.length; i++) {
                expectedLabels[i] = train.label(indices[i]);
            }
            assertArrayEquals(expectedLabels, labels.toLongArray());

            NDArray range = test.images(manager, 9_990, 10_000);
            assertEquals(new Shape(10, 1, 32, 32), range.getShape());
            assertArrayEquals(
                    test.batch(manager, new int[] {9_995}).get(0).toFloatArray(),
                    range.get(5).toFloatArray());
        }
    }

    /** Small files under the official names, so without the official sums to check them against. */
    @Test
    void mismatchedAndOutOfRangeFilesAreRejected() throws IOException {
        Map<String, String> noSums = Map.of();
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        IdxFiles.write(images, IdxFiles.gzip(IdxFiles.images(3, 28, 28, 0)));
        Path labels =
                IdxFiles.write(
                        dir.resolve("train-labels-idx1-ubyte.gz"),
                        IdxFiles.gzip(IdxFiles.labels(1, 2)));
        IdxReaderTest.assertMessage(
                () -> MnistDataset.load(dir, true, noSums),
                images,
                "holds 3 images but " + labels + " holds 2 labels");

        IdxFiles.write(labels, IdxFiles.gzip(IdxFiles.labels(1, 12, 2)));
        IdxReaderTest.assertMessage(
                () -> MnistDataset.load(dir, true, noSums),
                labels,
                "has label 12 at index 1, outside 0..9");

        IdxFiles.write(labels, IdxFiles.gzip(IdxFiles.labels(1, 9, 2)));
        IdxFiles.write(images, IdxFiles.gzip(IdxFiles.images(3, 32, 32, 0)));
        IdxReaderTest.assertMessage(
                () -> MnistDataset.load(dir, true, noSums),
                images,
                "holds 32x32 images, expected 28x28");

        // The unpacked files are read too.
        Files.delete(images);
        Files.delete(labels);
        IdxFiles.write(dir.resolve("train-images-idx3-ubyte"), IdxFiles.images(3, 28, 28, 0));
        IdxFiles.write(dir.resolve("train-labels-idx1-ubyte"), IdxFiles.labels(4, 0, 9));
        LabeledImages small = MnistDataset.load(dir, true, noSums);
        assertEquals(3, small.size());
        assertEquals(9, small.label(2));

        IdxReaderTest.assertMessage(
                () -> MnistDataset.load(dir, false, noSums),
                dir.resolve("t10k-images-idx3-ubyte.gz"),
                "does not exist");
    }

    @Test
    void dataFilesThatAreNotRegularFilesAreRefusedWithoutReadingThem() throws Exception {
        Map<String, String> noSums = Map.of();
        Path folder = Files.createDirectories(dir.resolve("train-images-idx3-ubyte.gz"));
        IdxFiles.write(
                dir.resolve("train-labels-idx1-ubyte.gz"), IdxFiles.gzip(IdxFiles.labels(1, 2)));
        IdxReaderTest.assertMessage(
                () -> MnistDataset.load(dir, true, noSums), folder, "is not a regular file");
        Files.delete(folder);
        IdxFiles.write(folder, IdxFiles.gzip(IdxFiles.images(1, 28, 28, 0)));
        Path devZero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(devZero), "a device that never ends");
        Path listing = Files.createSymbolicLink(dir.resolve("MD5SUMS"), devZero);
        IdxReaderTest.assertMessage(
                () -> MnistDataset.load(dir, true, noSums), listing, "move it away");
    }

    @Test
    void truncatedRealFilesAreRejected() throws IOException {
        byte[] real = Files.readAllBytes(MNIST.resolve("t10k-images-idx3-ubyte.gz"));
        Files.copy(
                MNIST.resolve("t10k-labels-idx1-ubyte.gz"),
                dir.resolve("t10k-labels-idx1-ubyte.gz"));
        Path cut =
                IdxFiles.write(
                        dir.resolve("t10k-images-idx3-ubyte.gz"),
                        java.util.Arrays.copyOf(real, real.length - 1000));
        IdxReaderTest.assertMessage(
                () -> MnistDataset.load(dir, false), cut, "is truncated or corrupt");
    }

    private static int[] histogram(LabeledImages d) {
        int[] counts = new int[10];
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
        }
        return counts;
    }

    private static String sha256(LabeledImages d) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < d.size(); i++) {
            sha.update(d.pixels(i));
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
