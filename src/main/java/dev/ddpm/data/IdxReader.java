package dev.ddpm.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the format of MNIST and Fashion-MNIST), gzip-compressed or raw, told apart by
 * their first bytes. Everything the header declares is checked against what the file holds: the
 * magic number, the dimensions and the number of bytes. A file that does not pass fails with a
 * {@link DataException} naming it, never with a partial or silently wrong result. A caller that
 * knows what the file should be can check its MD5, computed in the same pass.
 */
public final class IdxReader {

    /** Unsigned bytes, 3 dimensions (count, rows, columns). */
    public static final int IMAGES_MAGIC = 0x00000803;

    /** Unsigned bytes, 1 dimension (count). */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int MAX_SIDE = 4096;

    /**
     * Pieces in which a gzip file's body is decoded, since the size its header declares is only a
     * claim.
     */
    private static final int CHUNK = 4 << 20;

    private IdxReader() {}

    public static IdxImages readImages(Path file) {
        return readImages(file, md5 -> {});
    }

    /**
     * As {@link #readImages(Path)}, and {@code checkMd5} is given the MD5 of the whole file
     * (lower-case hex), computed while reading it, before anything is returned; it throws to reject
     * the file.
     */
    public static IdxImages readImages(Path file, Consumer<String> checkMd5) {
        try (Source in = Source.open(file)) {
            checkMagic(file, in.readInt(), IMAGES_MAGIC);
            int count = in.readDimension("image count", 0, Integer.MAX_VALUE);
            int rows = in.readDimension("row count", 1, MAX_SIDE);
            int cols = in.readDimension("column count", 1, MAX_SIDE);
            long bytes = (long) count * rows * cols;
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new DataException(
                        file
                                + " declares "
                                + count
                                + " images of "
                                + rows
                                + "x"
                                + cols
                                + ", too many to hold in memory: not an MNIST file");
            }
            String what = count + " images of " + rows + "x" + cols;
            IdxImages images = new IdxImages(count, rows, cols, in.readBody((int) bytes, what));
            checkMd5.accept(in.md5());
            return images;
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** The labels as unsigned values 0..255 (their range is the caller's to check). */
    public static byte[] readLabels(Path file) {
        return readLabels(file, md5 -> {});
    }

    /** As {@link #readLabels(Path)}, with the MD5 check of {@link #readImages(Path, Consumer)}. */
    public static byte[] readLabels(Path file, Consumer<String> checkMd5) {
        try (Source in = Source.open(file)) {
            checkMagic(file, in.readInt(), LABELS_MAGIC);
            int count = in.readDimension("label count", 0, Integer.MAX_VALUE - 8);
            byte[] labels = in.readBody(count, count + " labels");
            checkMd5.accept(in.md5());
            return labels;
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static void checkMagic(Path file, int magic, int expected) {
        if (magic != expected) {
            throw new DataException(
                    file
                            + " is "
                            + describe(magic)
                            + ", expected "
                            + describe(expected)
                            + " (magic number "
                            + hex(expected)
                            + ")");
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
            return "an IDX file of element type 0x"
                    + Integer.toHexString((magic >>> 8) & 0xff)
                    + " with "
                    + (magic & 0xff)
                    + " dimensions (magic number "
                    + hex(magic)
                    + ")";
        }
        return "not an IDX file (it starts with " + hex(magic) + ")";
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }

    /**
     * An open IDX file: its decoded content, what is known of its size before that content is read,
     * and the digest of the file's bytes as they are read.
     */
    private static final class Source implements Closeable {
        private final Path file;

        /** The bytes of the file, through {@link #digest}. */
        private final InputStream raw;

        private final MessageDigest digest;

        /** The decoded content: {@link #raw} itself or its gzip decoding. */
        private final InputStream in;

        /**
         * Bytes of the file, or -1 for a gzip file, whose decoded size is only known once decoded.
         */
        private final long size;

        private long position;

        private Source(
                Path file, InputStream raw, MessageDigest digest, InputStream in, long size) {
            this.file = file;
            this.raw = raw;
            this.digest = digest;
            this.in = in;
            this.size = size;
        }

        static Source open(Path file) throws IOException {
            requireRegularFile(file);
            MessageDigest digest = MnistDownloader.newMd5();
            InputStream raw;
            try {
                raw =
                        new BufferedInputStream(
                                new DigestInputStream(Files.newInputStream(file), digest), 1 << 16);
            } catch (NoSuchFileException e) {
                throw new DataException(file + " does not exist");
            }
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            return gzip
                    ? new Source(file, raw, digest, new GZIPInputStream(raw, 1 << 16), -1)
                    : new Source(file, raw, digest, raw, Files.size(file));
        }

        int readInt() throws IOException {
            byte[] b = in.readNBytes(4);
            if (b.length < 4) {
                throw new DataException(
                        file
                                + " is truncated: its IDX header is incomplete; download the file"
                                + " again");
            }
            position += 4;
            return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        }

        int readDimension(String what, int min, int max) throws IOException {
            int value = readInt();
            if (value < min || value > max) {
                throw new DataException(
                        file
                                + " declares a "
                                + what
                                + " of "
                                + Integer.toUnsignedString(value)
                                + ", outside ["
                                + min
                                + ", "
                                + max
                                + "]: the file is corrupt");
            }
            return value;
        }

        /**
         * The {@code bytes} after the header, which must be all the file holds. A raw file is
         * measured before anything is allocated; a gzip file is decoded a chunk at a time, so a
         * header that declares more than the file holds fails as truncated instead of exhausting
         * the heap.
         */
        byte[] readBody(int bytes, String what) throws IOException {
            if (size >= 0 && size - position < bytes) {
                throw truncated(bytes, what, size - position);
            }
            int chunkSize = size >= 0 ? bytes : CHUNK;
            List<byte[]> chunks = new ArrayList<>();
            int read = 0;
            do {
                byte[] chunk = new byte[Math.min(chunkSize, bytes - read)];
                int n = in.readNBytes(chunk, 0, chunk.length);
                read += n;
                if (n < chunk.length) {
                    throw truncated(bytes, what, read);
                }
                chunks.add(chunk);
            } while (read < bytes);
            if (in.read() != -1) {
                throw new DataException(
                        file
                                + " holds more bytes than the "
                                + what
                                + " its header declares:"
                                + " the file is corrupt or not an IDX file");
            }
            return chunks.size() == 1 ? chunks.get(0) : join(chunks, bytes);
        }

        private static byte[] join(List<byte[]> chunks, int bytes) {
            byte[] body = new byte[bytes];
            int offset = 0;
            for (byte[] chunk : chunks) {
                System.arraycopy(chunk, 0, body, offset, chunk.length);
                offset += chunk.length;
            }
            return body;
        }

        private DataException truncated(int bytes, String what, long held) {
            return new DataException(
                    file
                            + " is truncated: it declares "
                            + what
                            + " ("
                            + bytes
                            + " bytes) but holds only "
                            + held
                            + "; download the file again");
        }

        /**
         * The MD5 of the whole file. The gzip decoder ignores bytes after the compressed data, so
         * they are read here to count too.
         */
        String md5() throws IOException {
            raw.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.digest());
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static DataException unreadable(Path file, IOException e) {
        if (e instanceof EOFException || e instanceof ZipException) {
            return new DataException(
                    file
                            + " is truncated or corrupt (gzip: "
                            + e.getMessage()
                            + "); download the file again",
                    e);
        }
        return new DataException("cannot read " + file + ": " + e, e);
    }

    /**
     * Refuses a data file that is a folder, a device or a pipe: reading a pipe waits for a writer
     * and a device such as {@code /dev/zero} never ends.
     */
    static void requireRegularFile(Path file) {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new DataException(
                    file
                            + " is not a regular file (a folder, device or pipe); move it away"
                            + " (ddpm downloads missing MNIST files)");
        }
    }
}
