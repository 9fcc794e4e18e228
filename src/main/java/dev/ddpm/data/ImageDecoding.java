package dev.ddpm.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * One PNG or JPEG file to the model's input bytes, as torchvision's {@code ImageFolder} with {@code
 * Resize(S)} and {@code CenterCrop(S)} prepares it from Pillow: the image converted to grayscale
 * (Pillow's {@code convert("L")}: {@code (19595 R + 38470 G + 7471 B + 2^15) >> 16}) or RGB (a gray
 * image's value in all three channels; an alpha channel is dropped), its shorter side resized to
 * {@code S} with Pillow's bilinear filter ({@link PilBilinearResize}, the resize MNIST goes
 * through), then the centre {@code S x S} cut out. A square image is only resized, so a 28x28 PNG
 * of an MNIST digit gives exactly the bytes of the digit read from MNIST's IDX file.
 */
final class ImageDecoding {

    /** Larger images are refused before they are decoded (a few bytes can claim any size). */
    static final int MAX_SIDE = 16_384;

    static final long MAX_PIXELS = 64L << 20;

    private ImageDecoding() {}

    /**
     * Decodes {@code file} into {@code out[offset ..]} as {@code channels x size x size} bytes,
     * channel after channel.
     *
     * @throws DataException naming the file when it is not an image, damaged or truncated
     */
    static void read(Path file, int channels, int size, byte[] out, int offset) {
        BufferedImage image = decode(file);
        int h = image.getHeight();
        int w = image.getWidth();
        byte[] planes = channels == 1 ? gray(image) : rgb(image);
        int shortSide = Math.min(h, w);
        // torchvision's Resize(S): the shorter side becomes S, the longer int(S * long / short).
        int outH = h == shortSide ? size : (int) ((long) size * h / shortSide);
        int outW = w == shortSide ? size : (int) ((long) size * w / shortSide);
        int top = (int) Math.round((outH - size) / 2.0);
        int left = (int) Math.round((outW - size) / 2.0);
        PilBilinearResize resize = new PilBilinearResize(h, w, outH, outW);
        byte[] scratch = new byte[resize.scratchBytes()];
        byte[] resized = new byte[outH * outW];
        for (int c = 0; c < channels; c++) {
            resize.resize(planes, c * h * w, resized, 0, scratch);
            for (int y = 0; y < size; y++) {
                System.arraycopy(
                        resized,
                        (top + y) * outW + left,
                        out,
                        offset + (c * size + y) * size,
                        size);
            }
        }
    }

    private static BufferedImage decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try (ImageInputStream in =
                new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DataException(
                        file
                                + " is not a PNG or JPEG image (its content is neither): replace"
                                + " it or remove it");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS) {
                    throw new DataException(
                            file
                                    + " is "
                                    + w
                                    + "x"
                                    + h
                                    + " pixels; ddpm reads images of at most "
                                    + MAX_SIDE
                                    + " pixels a side and "
                                    + (MAX_PIXELS >> 20)
                                    + " megapixels: shrink it");
                }
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw damaged(file, warnings.get(0));
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException d) {
                throw d;
            }
            throw damaged(file, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static DataException damaged(Path file, String problem) {
        return new DataException(
                file
                        + " cannot be decoded, it is truncated or damaged ("
                        + problem.replaceAll("\\s*\\R\\s*", " ")
                        + "): replace it or remove it");
    }

    /**
     * The image's gray values, one byte per pixel: a gray image's samples as stored (8 bits, or the
     * top 8 of 16), anything else through its RGB values with Pillow's luma weights.
     */
    private static byte[] gray(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        byte[] out = new byte[h * w];
        if (isPlainGray(image)) {
            Raster raster = image.getRaster();
            int shift = raster.getSampleModel().getSampleSize(0) - 8;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = (byte) (raster.getSample(x, y, 0) >> shift);
                }
            }
            return out;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int r = (row[x] >> 16) & 0xff;
                int g = (row[x] >> 8) & 0xff;
                int b = row[x] & 0xff;
                out[y * w + x] = (byte) ((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16);
            }
        }
        return out;
    }

    /** The image's red, green and blue planes, one after the other. */
    private static byte[] rgb(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        byte[] out = new byte[3 * plane];
        if (isPlainGray(image)) {
            byte[] gray = gray(image);
            for (int c = 0; c < 3; c++) {
                System.arraycopy(gray, 0, out, c * plane, plane);
            }
            return out;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                out[y * w + x] = (byte) (row[x] >> 16);
                out[plane + y * w + x] = (byte) (row[x] >> 8);
                out[2 * plane + y * w + x] = (byte) row[x];
            }
        }
        return out;
    }

    /**
     * A gray image of 8 or 16 bits (with or without alpha), whose samples are read directly: {@code
     * getRGB} would pass them through Java's linear gray colour space and change them.
     */
    private static boolean isPlainGray(BufferedImage image) {
        int bits = image.getRaster().getSampleModel().getSampleSize(0);
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && !(image.getColorModel() instanceof IndexColorModel)
                && (bits == 8 || bits == 16);
    }
}
