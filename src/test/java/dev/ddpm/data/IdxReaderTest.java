package dev.ddpm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir Path dir;

    @Test
    void readsRawAndGzipFilesAlike() {
        byte[] content = IdxFiles.images(3, 4, 5, 7);
        IdxImages raw = IdxReader.readImages(IdxFiles.write(dir.resolve("raw"), content));
        IdxImages gz =
                IdxReader.readImages(
                        IdxFiles.write(dir.resolve("packed.gz"), IdxFiles.gzip(content)));
        for (IdxImages images : new IdxImages[] {raw, gz}) {
            assertEquals(3, images.count());
            assertEquals(4, images.rows());
            assertEquals(5, images.cols());
            assertArrayEquals(Arrays.copyOfRange(content, 16, content.length), images.pixels());
        }
        byte[] labels =
                IdxReader.readLabels(
                        IdxFiles.write(
                                dir.resolve("labels.gz"), IdxFiles.gzip(IdxFiles.labels(3, 1, 4))));
        assertArrayEquals(new byte[] {3, 1, 4}, labels);
    }

    @Test
    void wrongMagicNumbersNameTheFileAndTheExpectedKind() {
        Path labels = IdxFiles.write(dir.resolve("labels"), IdxFiles.labels(1, 2));
        assertMessage(
                () -> IdxReader.readImages(labels),
                labels,
                "is an IDX label file, expected an IDX image file");
        Path images = IdxFiles.write(dir.resolve("images"), IdxFiles.images(1, 2, 2, 0));
        assertMessage(
                () -> IdxReader.readLabels(images),
                images,
                "is an IDX image file, expected an IDX label file");
        Path text =
                IdxFiles.write(dir.resolve("notes.txt"), "hello world, not an IDX file".getBytes());
        assertMessage(
                () -> IdxReader.readImages(text),
                text,
                "not an IDX file (it starts with 0x68656c6c)");
        byte[] floats = IdxFiles.images(1, 2, 2, 0);
        floats[2] = 0x0d; // element type float instead of unsigned byte
        Path f = IdxFiles.write(dir.resolve("floats"), floats);
        assertMessage(() -> IdxReader.readImages(f), f, "element type 0xd with 3 dimensions");
    }

    @Test
    void truncatedFilesAreReportedWithWhatIsMissing() {
        byte[] content = IdxFiles.images(10, 28, 28, 1);
        Path raw = IdxFiles.write(dir.resolve("cut"), Arrays.copyOf(content, content.length - 100));
        assertMessage(
                () -> IdxReader.readImages(raw),
                raw,
                "is truncated: it declares 10 images of 28x28 (7840 bytes) but holds only 7740");
        byte[] gz = IdxFiles.gzip(content);
        Path cutGz = IdxFiles.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertMessage(() -> IdxReader.readImages(cutGz), cutGz, "is truncated or corrupt (gzip");
        Path header = IdxFiles.write(dir.resolve("header"), Arrays.copyOf(content, 10));
        assertMessage(
                () -> IdxReader.readImages(header),
                header,
                "is truncated: its IDX header is incomplete");
        Path empty = IdxFiles.write(dir.resolve("empty"), new byte[0]);
        assertMessage(() -> IdxReader.readLabels(empty), empty, "is truncated");
    }

    @Test
    void corruptContentIsRejected() {
        byte[] gz = IdxFiles.gzip(IdxFiles.images(10, 28, 28, 1));
        for (int i = 20; i < gz.length - 8; i += 7) {
            gz[i] ^= 0x5a; // scramble the deflate stream
        }
        Path garbled = IdxFiles.write(dir.resolve("garbled.gz"), gz);
        assertMessage(
                () -> IdxReader.readImages(garbled), garbled, "is truncated or corrupt (gzip");

        byte[] longer = Arrays.copyOf(IdxFiles.labels(1, 2, 3), 8 + 3 + 5);
        Path extra = IdxFiles.write(dir.resolve("extra"), longer);
        assertMessage(
                () -> IdxReader.readLabels(extra),
                extra,
                "holds more bytes than the 3 labels its header declares");

        byte[] zeroRows = IdxFiles.images(1, 2, 2, 0);
        zeroRows[11] = 0;
        Path dims = IdxFiles.write(dir.resolve("dims"), zeroRows);
        assertMessage(
                () -> IdxReader.readImages(dims),
                dims,
                "declares a row count of 0, outside [1, 4096]");

        byte[] huge = IdxFiles.labels(1);
        huge[4] = (byte) 0xff; // count 0xff000001: negative as a signed int
        Path negative = IdxFiles.write(dir.resolve("negative"), huge);
        assertMessage(
                () -> IdxReader.readLabels(negative),
                negative,
                "declares a label count of 4278190081");
    }

    /**
     * A header is a claim, not a size to allocate: a 26-byte label file declaring the largest count
     * the reader accepts (2^31 - 9; 2^31 itself is out of range) once made the reader allocate 2
     * GB, an OutOfMemoryError under a smaller heap.
     */
    @Test
    void aHeaderDeclaringBillionsOfLabelsAllocatesNothingOfThatSize() {
        byte[] content =
                ByteBuffer.allocate(26)
                        .putInt(IdxReader.LABELS_MAGIC)
                        .putInt(Integer.MAX_VALUE - 8)
                        .array();
        Path raw = IdxFiles.write(dir.resolve("labels"), content);
        Path gz = IdxFiles.write(dir.resolve("labels.gz"), IdxFiles.gzip(content));
        for (Path file : new Path[] {raw, gz}) {
            assertAllocatesLessThan(
                    64 << 20,
                    () ->
                            assertMessage(
                                    () -> IdxReader.readLabels(file),
                                    file,
                                    "is truncated: it declares 2147483639 labels (2147483639 bytes)"
                                            + " but holds only 18"));
        }
        ByteBuffer.wrap(content).putInt(4, 1 << 31);
        Path outOfRange = IdxFiles.write(dir.resolve("2^31.gz"), IdxFiles.gzip(content));
        assertMessage(
                () -> IdxReader.readLabels(outOfRange),
                outOfRange,
                "declares a label count of 2147483648, outside [0, 2147483639]: the file is"
                        + " corrupt");
    }

    @Test
    void anImageFileHoldingFewerImagesThanDeclaredFailsBeforeAllocatingThem() {
        byte[] content = IdxFiles.images(10, 28, 28, 3);
        ByteBuffer.wrap(content).putInt(4, 60_000);
        Path raw = IdxFiles.write(dir.resolve("images"), content);
        Path gz = IdxFiles.write(dir.resolve("images.gz"), IdxFiles.gzip(content));
        for (Path file : new Path[] {raw, gz}) {
            assertAllocatesLessThan(
                    32 << 20,
                    () ->
                            assertMessage(
                                    () -> IdxReader.readImages(file),
                                    file,
                                    "is truncated: it declares 60000 images of 28x28 (47040000"
                                            + " bytes) but holds only 7840"));
        }
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nothing-here.gz");
        assertMessage(() -> IdxReader.readLabels(missing), missing, "does not exist");
    }

    private static void assertAllocatesLessThan(long bytes, Runnable call) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        call.run();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < bytes, "allocated " + allocated + " bytes");
    }

    static void assertMessage(
            org.junit.jupiter.api.function.Executable call, Path file, String expected) {
        DataException e = assertThrows(DataException.class, call);
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        assertTrue(
                e.getMessage().contains(expected),
                "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
