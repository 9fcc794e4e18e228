package dev.ddpm.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Lays out a batch of images {@code [N, C, H, W]} with values in [-1, 1] as a grid, row by row, and
 * writes it as a PNG. Values map to bytes as {@code round((v + 1) / 2 * 255)}, clamped to [0, 255];
 * each pixel becomes a {@code scale x scale} block (nearest neighbour) so small digits can be seen.
 * One channel gives a grayscale image, three an RGB one. Cells without an image stay black.
 */
public final class ImageGrid {

    private ImageGrid() {}

    /** Renders {@code images} (one copy to the host) and writes the PNG atomically. */
    public static void write(NDArray images, int columns, int scale, Path png) throws IOException {
        writePng(render(images, columns, scale), png);
    }

    /** The grid as an image, from device arrays. */
    public static BufferedImage render(NDArray images, int columns, int scale) {
        return render(
                images.toType(DataType.FLOAT32, false).toFloatArray(),
                images.getShape(),
                columns,
                scale);
    }

    /**
     * The grid as an image, from host values.
     *
     * @param values {@code N * C * H * W} values in [-1, 1], row-major
     * @param shape {@code [N, C, H, W]}
     */
    public static BufferedImage render(float[] values, Shape shape, int columns, int scale) {
        if (shape.dimension() != 4 || shape.size() != values.length) {
            throw new IllegalArgumentException(
                    "expected images [N, C, H, W] with "
                            + values.length
                            + " values, got shape "
                            + shape);
        }
        if (columns < 1 || scale < 1) {
            throw new IllegalArgumentException(
                    "columns and scale must be at least 1, got " + columns + " and " + scale);
        }
        int n = (int) shape.get(0);
        int channels = (int) shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images must have 1 or 3 channels, got " + channels);
        }
        int cols = Math.max(1, Math.min(columns, n));
        int rows = Math.max(1, (n + cols - 1) / cols);
        BufferedImage image =
                new BufferedImage(
                        cols * w * scale,
                        rows * h * scale,
                        channels == 1
                                ? BufferedImage.TYPE_BYTE_GRAY
                                : BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster raster = image.getRaster();
        int[] pixel = new int[channels];
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            int left = (i % cols) * w * scale;
            int top = (i / cols) * h * scale;
            int base = i * channels * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < channels; c++) {
                        pixel[c] = toByte(values[base + c * plane + y * w + x]);
                    }
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            raster.setPixel(left + x * scale + dx, top + y * scale + dy, pixel);
                        }
                    }
                }
            }
        }
        return image;
    }

    /** {@code round((v + 1) / 2 * 255)} clamped to [0, 255]; NaN is 0. */
    public static int toByte(float v) {
        double scaled = Math.floor((v + 1.0) * 127.5 + 0.5);
        return scaled >= 255 ? 255 : scaled > 0 ? (int) scaled : 0;
    }

    /** Writes any image as a PNG, atomically. */
    public static void writePng(BufferedImage image, Path png) throws IOException {
        // An in-memory cache: ImageIO's default file cache fails with a bare NullPointerException
        // when the
        // temporary folder is full or not writable.
        AtomicFiles.write(
                png,
                out -> {
                    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                        if (!ImageIO.write(image, "png", stream)) {
                            throw new IOException("no PNG writer in this Java runtime");
                        }
                    }
                });
    }
}
