package dev.ddpm.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.NativeArrays;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One split of MNIST or Fashion-MNIST, preprocessed as the reference does: each 28x28 image resized to
 * 32x32 with Pillow's bilinear filter (rounded to uint8, as the PIL image that torchvision's ToTensor sees),
 * kept in memory as compact uint8, and turned into {@code [-1, 1]} floats on the device batch by batch.
 */
public final class MnistDataset {

    private static final Logger LOG = LoggerFactory.getLogger(MnistDataset.class);

    /** Side of the images the model sees. */
    public static final int IMAGE_SIZE = 32;
    /** Side of the images in the files. */
    public static final int SOURCE_SIZE = 28;
    public static final int NUM_CLASSES = 10;

    private static final int IMAGE_BYTES = IMAGE_SIZE * IMAGE_SIZE;

    private final byte[] images;
    private final byte[] labels;

    private MnistDataset(byte[] images, byte[] labels) {
        this.images = images;
        this.labels = labels;
    }

    /** The folder of a dataset under the data root: {@code data} and {@code mnist} give {@code data/mnist}. */
    public static Path folder(Path dataRoot, String dataset) {
        return dataRoot.resolve(dataset);
    }

    /**
     * Reads the training (60,000) or test (10,000) split from {@code dataDir} (e.g. {@code data/mnist}), from
     * the published {@code *.gz} files or their unpacked versions.
     */
    public static MnistDataset load(Path dataDir, boolean train) {
        long start = System.nanoTime();
        String prefix = train ? "train" : "t10k";
        Path imageFile = existing(dataDir, prefix + "-images-idx3-ubyte.gz");
        Path labelFile = existing(dataDir, prefix + "-labels-idx1-ubyte.gz");
        byte[] labels = IdxReader.readLabels(labelFile);
        IdxImages source = IdxReader.readImages(imageFile);
        if (source.rows() != SOURCE_SIZE || source.cols() != SOURCE_SIZE) {
            throw new DataException(imageFile + " holds " + source.rows() + "x" + source.cols() + " images, expected "
                    + SOURCE_SIZE + "x" + SOURCE_SIZE + " (MNIST / Fashion-MNIST)");
        }
        if (source.count() != labels.length) {
            throw new DataException(imageFile + " holds " + source.count() + " images but " + labelFile + " holds "
                    + labels.length + " labels: the files do not belong together; download them again");
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= NUM_CLASSES) {
                throw new DataException(labelFile + " has label " + (labels[i] & 0xff) + " at index " + i
                        + ", outside 0.." + (NUM_CLASSES - 1) + ": the file is corrupt; download it again");
            }
        }
        MnistDataset dataset = new MnistDataset(resize(source), labels);
        LOG.debug("loaded {} images from {} in {} ms", labels.length, imageFile,
                (System.nanoTime() - start) / 1_000_000);
        return dataset;
    }

    /**
     * Downloads the dataset's files that are missing from {@code dataDir} ({@code dataset} is {@code mnist}
     * or {@code fashion-mnist} and selects the mirrors and checksums).
     */
    public static void ensureFiles(Path dataDir, String dataset) {
        ensureFiles(dataDir, MnistDownloader.forDataset(dataset));
    }

    /** As {@link #ensureFiles(Path, String)}, with the given downloader. */
    public static void ensureFiles(Path dataDir, MnistDownloader downloader) {
        List<String> missing = MnistDownloader.FILES.stream().filter(f -> find(dataDir, f) == null).toList();
        if (!missing.isEmpty()) {
            LOG.info("{} missing in {}: downloading", String.join(", ", missing), dataDir);
            downloader.download(dataDir, missing);
        }
    }

    public int size() {
        return labels.length;
    }

    public int label(int index) {
        return labels[index];
    }

    /**
     * The images at {@code indices} as {@code [B, 1, 32, 32]} float32 in {@code [-1, 1]} and their labels as
     * int64 {@code [B]}, on the manager's device. Each array crosses to the device once, as uint8 for the images.
     */
    public NDList batch(NDManager manager, int[] indices) {
        ByteBuffer pixels = ByteBuffer.allocateDirect(indices.length * IMAGE_BYTES).order(ByteOrder.nativeOrder());
        long[] batchLabels = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int index = Objects.checkIndex(indices[i], size());
            pixels.put(images, index * IMAGE_BYTES, IMAGE_BYTES);
            batchLabels[i] = labels[index];
        }
        return new NDList(toImages(manager, pixels.flip(), indices.length),
                NativeArrays.copyOf(manager, batchLabels));
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), as {@link #batch} makes them. */
    public NDArray images(NDManager manager, int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        ByteBuffer pixels = ByteBuffer.allocateDirect((to - from) * IMAGE_BYTES).order(ByteOrder.nativeOrder());
        pixels.put(images, from * IMAGE_BYTES, (to - from) * IMAGE_BYTES);
        return toImages(manager, pixels.flip(), to - from);
    }

    /** The preprocessed uint8 pixels of one image (32x32, row-major); a copy. */
    byte[] pixels(int index) {
        int i = Objects.checkIndex(index, size());
        return java.util.Arrays.copyOfRange(images, i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES);
    }

    /**
     * uint8 -> float32 on the device, then ToTensor's {@code / 255} and Normalize's {@code (x - 0.5) / 0.5}
     * as separate float32 operations (in place on the converted copy), so the values are bit-identical to the
     * reference's.
     */
    private static NDArray toImages(NDManager manager, ByteBuffer pixels, int count) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray bytes = NativeArrays.copyOf(scratch, pixels, new Shape(count, 1, IMAGE_SIZE, IMAGE_SIZE), DataType.UINT8);
            NDArray max = NativeArrays.scalar(scratch, 255f);
            NDArray half = NativeArrays.scalar(scratch, 0.5f);
            NDArray scaled = bytes.toType(DataType.FLOAT32, false).divi(max).subi(half).divi(half);
            scaled.attach(manager);
            return scaled;
        }
    }

    private static byte[] resize(IdxImages source) {
        PilBilinearResize resize = new PilBilinearResize(source.rows(), source.cols(), IMAGE_SIZE, IMAGE_SIZE);
        byte[] out = new byte[source.count() * IMAGE_BYTES];
        int chunk = 1024;
        IntStream.range(0, (source.count() + chunk - 1) / chunk).parallel().forEach(c -> {
            byte[] scratch = new byte[resize.scratchBytes()];
            for (int i = c * chunk; i < Math.min(source.count(), (c + 1) * chunk); i++) {
                resize.resize(source.pixels(), i * source.imageBytes(), out, i * IMAGE_BYTES, scratch);
            }
        });
        return out;
    }

    private static Path existing(Path dataDir, String gzName) {
        Path file = find(dataDir, gzName);
        if (file == null) {
            throw new DataException(dataDir.resolve(gzName) + " does not exist: 'ddpm train' downloads it, or copy"
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
