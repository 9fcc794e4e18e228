package dev.ddpm.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the format of MNIST and Fashion-MNIST), gzip-compressed or raw, told apart by their
 * first bytes. Everything the header declares is checked against what the file holds: the magic number,
 * the dimensions and the number of bytes. A file that does not pass fails with a {@link DataException}
 * naming it, never with a partial or silently wrong result.
 */
public final class IdxReader {

    /** Unsigned bytes, 3 dimensions (count, rows, columns). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned bytes, 1 dimension (count). */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int MAX_SIDE = 4096;

    private IdxReader() {}

    public static IdxImages readImages(Path file) {
        try (InputStream in = open(file)) {
            checkMagic(file, readInt(in, file), IMAGES_MAGIC);
            int count = readDimension(in, file, "image count", 0, Integer.MAX_VALUE);
            int rows = readDimension(in, file, "row count", 1, MAX_SIDE);
            int cols = readDimension(in, file, "column count", 1, MAX_SIDE);
            long bytes = (long) count * rows * cols;
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new DataException(file + " declares " + count + " images of " + rows + "x" + cols
                        + ", too many to hold in memory: not an MNIST file");
            }
            String what = count + " images of " + rows + "x" + cols;
            return new IdxImages(count, rows, cols, readBody(in, file, (int) bytes, what));
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** The labels as unsigned values 0..255 (their range is the caller's to check). */
    public static byte[] readLabels(Path file) {
        try (InputStream in = open(file)) {
            checkMagic(file, readInt(in, file), LABELS_MAGIC);
            int count = readDimension(in, file, "label count", 0, Integer.MAX_VALUE - 8);
            return readBody(in, file, count, count + " labels");
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new DataException(file + " does not exist");
        }
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static int readInt(InputStream in, Path file) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw new DataException(file + " is truncated: its IDX header is incomplete; download the file again");
        }
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static void checkMagic(Path file, int magic, int expected) {
        if (magic != expected) {
            throw new DataException(file + " is " + describe(magic) + ", expected " + describe(expected)
                    + " (magic number " + hex(expected) + ")");
        }
    }

    private static String describe(int magic) {
        if (magic == IMAGES_MAGIC) {
            return "an IDX image file";
        }
        if (magic == LABELS_MAGIC) {
            return "an IDX label file";
        }
        if ((magic >>> 16) == 0) {
            return "an IDX file of element type 0x" + Integer.toHexString((magic >>> 8) & 0xff) + " with "
                    + (magic & 0xff) + " dimensions (magic number " + hex(magic) + ")";
        }
        return "not an IDX file (it starts with " + hex(magic) + ")";
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }

    private static int readDimension(InputStream in, Path file, String what, int min, int max) throws IOException {
        int value = readInt(in, file);
        if (value < min || value > max) {
            throw new DataException(file + " declares a " + what + " of " + Integer.toUnsignedString(value)
                    + ", outside [" + min + ", " + max + "]: the file is corrupt");
        }
        return value;
    }

    private static byte[] readBody(InputStream in, Path file, int bytes, String what) throws IOException {
        byte[] body = new byte[bytes];
        int read = in.readNBytes(body, 0, bytes);
        if (read < bytes) {
            throw new DataException(file + " is truncated: it declares " + what + " (" + bytes
                    + " bytes) but holds only " + read + "; download the file again");
        }
        if (in.read() != -1) {
            throw new DataException(file + " holds more bytes than the " + what + " its header declares:"
                    + " the file is corrupt or not an IDX file");
        }
        return body;
    }

    private static DataException unreadable(Path file, IOException e) {
        if (e instanceof EOFException || e instanceof ZipException) {
            return new DataException(file + " is truncated or corrupt (gzip: " + e.getMessage()
                    + "); download the file again", e);
        }
        return new DataException("cannot read " + file + ": " + e, e);
    }
}
