package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ddpm.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths a user names for output that are not plain files: an atomic write renames over its target,
 * so anything but a regular file (or nothing) there must be refused before it is replaced.
 */
class AtomicFilesTest {

    @TempDir Path dir;

    /** A named pipe in the test folder (Unix only). */
    static Path fifo(Path at) throws Exception {
        assumeTrue(
                new ProcessBuilder("mkfifo", at.toString()).start().waitFor() == 0,
                "mkfifo makes a named pipe");
        return at;
    }

    private static void assertRefused(Executable write, String... expected) {
        UserException e = assertThrows(UserException.class, write);
        for (String part : expected) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aPipeIsRefusedAndLeftInPlace() throws Exception {
        Path pipe = fifo(dir.resolve("pipe.png"));
        assertRefused(() -> AtomicFiles.requireWritable(pipe), pipe.toString(), "regular file");
        assertRefused(() -> AtomicFiles.writeString(pipe, "png"), pipe.toString(), "regular file");
        assertTrue(Files.exists(pipe) && !Files.isRegularFile(pipe), "still a pipe");
        assertEquals(1, Files.list(dir).count(), "no temporary file left");
    }

    @Test
    void aLinkToADeviceIsRefusedAndLeftInPlace() throws Exception {
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull), "a Unix device");
        Path link = Files.createSymbolicLink(dir.resolve("out.png"), devNull);
        assertRefused(() -> AtomicFiles.requireWritable(link), link.toString(), "regular file");
        assertRefused(() -> AtomicFiles.writeString(link, "png"), link.toString(), "regular file");
        assertTrue(Files.isSymbolicLink(link), "the link stays");
        assertEquals(devNull, Files.readSymbolicLink(link));
    }

    @Test
    void aFolderIsRefused() {
        assertRefused(() -> AtomicFiles.requireWritable(dir), dir.toString(), "folder");
        assertRefused(() -> AtomicFiles.writeString(dir, "png"), dir.toString(), "folder");
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void aLinkToAFileIsWrittenThroughAndKept() throws IOException {
        Path real = Files.writeString(dir.resolve("real.json"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), real);
        AtomicFiles.requireWritable(link);
        AtomicFiles.writeString(link, "new");
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertEquals("new", Files.readString(real), "the file it points to is written");
        assertTrue(Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aFileWhereAFolderShouldBeIsNamed() throws IOException {
        Path blocker = Files.writeString(dir.resolve("eval"), "a file");
        Path target = blocker.resolve("sub/report.json");
        assertRefused(
                () -> AtomicFiles.requireWritable(target),
                blocker.toString(),
                "is a file where a folder should be",
                "move it away");
        assertRefused(
                () -> AtomicFiles.writeString(target, "{}"),
                blocker.toString(),
                "is a file where a folder should be");
        assertEquals("a file", Files.readString(blocker));
    }

    @Test
    void dashIsNotStandardOutput() {
        assertRefused(() -> AtomicFiles.requireWritable(Path.of("-")), "standard output", "./-");
        assertRefused(
                () -> AtomicFiles.requireWritable(Path.of("-", "all-digits.gif")),
                "standard output");
        AtomicFiles.requireWritable(dir.resolve("-"));
    }

    @Test
    void theCheckBeforeWorkChangesNothing() {
        Path target = dir.resolve("a/b/grid.png");
        AtomicFiles.requireWritable(target);
        assertFalse(Files.exists(dir.resolve("a")), "no folder made by a check");
    }
}
