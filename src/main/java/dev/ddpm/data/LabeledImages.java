package dev.ddpm.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.NativeArrays;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Preprocessed training or test images in memory, whatever their source (MNIST's IDX files, a
 * folder of PNG and JPEG files): {@code count} square images of {@code channels x size x size}
 * uint8, channel-planar, each with its class. They become {@code [-1, 1]} floats on the device
 * batch by batch, as the reference's {@code ToTensor()} and {@code Normalize(0.5, 0.5)} make them.
 */
public final class LabeledImages {

    private final byte[] pixels;
    private final int[] labels;
    private final List<String> classes;
    private final int channels;
    private final int imageSize;
    private final int imageBytes;
    private final String origin;

    /** Images made in memory. */
    public LabeledImages(
            byte[] pixels, int[] labels, List<String> classes, int channels, int imageSize) {
        this(pixels, labels, classes, channels, imageSize, "images in memory");
    }

    /**
     * @param pixels image after image, each {@code channels x imageSize x imageSize} bytes
     * @param labels the class of each image, an index into {@code classes}
     * @param classes the class names, in label order
     * @param origin where they come from, for the log (files, split)
     */
    public LabeledImages(
            byte[] pixels,
            int[] labels,
            List<String> classes,
            int channels,
            int imageSize,
            String origin) {
        this.imageBytes = channels * imageSize * imageSize;
        if (pixels.length != (long) labels.length * imageBytes) {
            throw new IllegalArgumentException(
                    pixels.length
                            + " pixel bytes are not "
                            + labels.length
                            + " images of "
                            + imageBytes);
        }
        for (int label : labels) {
            Objects.checkIndex(label, classes.size());
        }
        this.pixels = pixels;
        this.labels = labels;
        this.classes = List.copyOf(classes);
        this.channels = channels;
        this.imageSize = imageSize;
        this.origin = origin;
    }

    /** Where the images come from, e.g. {@code data/mnist (mnist, training split)}. */
    public String origin() {
        return origin;
    }

    public int size() {
        return labels.length;
    }

    public int label(int index) {
        return labels[index];
    }

    /** The class names, in label order. */
    public List<String> classes() {
        return classes;
    }

    public int channels() {
        return channels;
    }

    /** Side of the (square) images. */
    public int imageSize() {
        return imageSize;
    }

    /** The shape of one image, {@code [C, H, W]}. */
    public Shape imageShape() {
        return new Shape(channels, imageSize, imageSize);
    }

    /** Images per class, in label order. */
    public int[] classCounts() {
        int[] counts = new int[classes.size()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** Bytes the images take in memory. */
    public long bytes() {
        return pixels.length + 4L * labels.length;
    }

    /**
     * The images at {@code indices} as {@code [B, C, S, S]} float32 in {@code [-1, 1]} and their
     * labels as int64 {@code [B]}, on the manager's device. Each array crosses to the device once,
     * as uint8 for the images.
     */
    public NDList batch(NDManager manager, int[] indices) {
        ByteBuffer batch =
                ByteBuffer.allocateDirect(indices.length * imageBytes)
                        .order(ByteOrder.nativeOrder());
        long[] batchLabels = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int index = Objects.checkIndex(indices[i], size());
            batch.put(pixels, index * imageBytes, imageBytes);
            batchLabels[i] = labels[index];
        }
        return new NDList(
                toImages(manager, batch.flip(), indices.length),
                NativeArrays.copyOf(manager, batchLabels));
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), as {@link #batch} makes them. */
    public NDArray images(NDManager manager, int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        ByteBuffer batch =
                ByteBuffer.allocateDirect((to - from) * imageBytes).order(ByteOrder.nativeOrder());
        batch.put(pixels, from * imageBytes, (to - from) * imageBytes);
        return toImages(manager, batch.flip(), to - from);
    }

    /** The preprocessed uint8 pixels of one image ({@code C x S x S}, planar); a copy. */
    public byte[] pixels(int index) {
        int i = Objects.checkIndex(index, size());
        return Arrays.copyOfRange(pixels, i * imageBytes, (i + 1) * imageBytes);
    }

    /**
     * A SHA-256 of everything a model trained on these images depends on: class names, channels,
     * size, labels and pixels, in order. Equal keys mean equal data.
     */
    public String contentKey() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.join("\n", classes).getBytes(StandardCharsets.UTF_8));
            ByteBuffer header = ByteBuffer.allocate(12 + 4 * labels.length);
            header.putInt(channels).putInt(imageSize).putInt(labels.length);
            header.asIntBuffer().put(labels);
            sha.update(header.array());
            sha.update(pixels);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * uint8 -> float32 on the device, then ToTensor's {@code / 255} and Normalize's {@code (x -
     * 0.5) / 0.5} as separate float32 operations (in place on the converted copy), so the values
     * are bit-identical to the reference's.
     */
    private NDArray toImages(NDManager manager, ByteBuffer batch, int count) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray bytes =
                    NativeArrays.copyOf(
                            scratch,
                            batch,
                            new Shape(count, channels, imageSize, imageSize),
                            DataType.UINT8);
            NDArray max = NativeArrays.scalar(scratch, 255f);
            NDArray half = NativeArrays.scalar(scratch, 0.5f);
            NDArray scaled = bytes.toType(DataType.FLOAT32, false).divi(max).subi(half).divi(half);
            scaled.attach(manager);
            return scaled;
        }
    }
}
