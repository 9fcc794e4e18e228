package dev.ddpm.io;

import dev.ddpm.common.UserException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files so that a reader never sees a partial one: the content goes to a temporary file in
 * the same folder, is flushed to disk, and only then renamed over the final name. An interrupted
 * write leaves the previous file untouched (and at worst a stray {@code *.tmp}). Since the rename
 * replaces whatever has the name, a target that is no regular file (a folder, a device, a pipe) is
 * refused, never replaced; a link to a file is written through and kept.
 */
public final class AtomicFiles {

    /** Writes the content of one file. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes {@code target} through a temporary file renamed over it; refuses (a {@link
     * UserException}) a target that exists but is not a regular file, or a file where a folder of
     * its path should be.
     */
    public static void write(Path target, Writer writer) throws IOException {
        requireReplaceable(target);
        Path file = destination(target);
        Path dir = file.toAbsolutePath().getParent();
        createFolders(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            // Temporary files are created owner-only; the result is an ordinary file others may
            // read.
            if (Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out =
                        new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20);
                writer.writeTo(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(
                        tmp,
                        file,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Checks before any work, and without changing anything, that {@code target} can be written: it
     * is a regular file or nothing yet, and its folder exists or can be made in a writable folder.
     * Refuses with one line naming the path and what to do.
     */
    public static void requireWritable(Path target) {
        requireReplaceable(target);
        Path dir;
        try {
            dir = destination(target).toAbsolutePath().getParent();
        } catch (IOException e) {
            throw new UserException("cannot write " + target + ": " + describe(e));
        }
        Path existing = dir;
        while (!Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing)) {
            throw inTheWay("cannot write " + target + ": ", existing);
        }
        if (!Files.isWritable(existing)) {
            throw new UserException(
                    "cannot write "
                            + target
                            + ": folder "
                            + existing
                            + " is not writable (permission or a read-only file system); choose"
                            + " another path");
        }
    }

    /**
     * Refuses a {@code target} that exists but is not a regular file (a folder, a device such as
     * {@code /dev/null}, a pipe, a socket, or a link to one): the rename that makes a write atomic
     * would replace it, and run as root would replace a device node.
     */
    private static void requireReplaceable(Path target) {
        if (!target.isAbsolute()
                && target.getNameCount() > 0
                && target.getName(0).toString().equals("-")) {
            // Many tools read '-' as standard output; ddpm prints there the paths it wrote.
            throw new UserException(
                    "cannot write "
                            + target
                            + ": ddpm writes files, not standard output; give a file name (./- for"
                            + " a file called '-')");
        }
        if (Files.isDirectory(target)) {
            throw new UserException(
                    "cannot write " + target + ": it is a folder; give the path of a file");
        }
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new UserException(
                    "cannot write "
                            + target
                            + ": it is a device, pipe or socket, which ddpm would replace, not"
                            + " write into; give the path of a regular file");
        }
    }

    /**
     * The file a write replaces: {@code target}, or the file a link there points to, so that the
     * link is kept (as a shell's {@code >} keeps it) and a link such as {@code /dev/stdout} is
     * never replaced.
     */
    private static Path destination(Path target) throws IOException {
        return Files.isSymbolicLink(target) && Files.exists(target) ? target.toRealPath() : target;
    }

    /**
     * Creates {@code dir} and its missing parents; a file where one of them should be is a {@link
     * UserException} naming it.
     */
    public static void createFolders(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            for (Path p = dir; p != null; p = p.getParent()) {
                if (Files.exists(p) && !Files.isDirectory(p)) {
                    throw inTheWay("", p);
                }
            }
            throw e;
        }
    }

    private static UserException inTheWay(String context, Path file) {
        return new UserException(
                context
                        + file
                        + " is a file where a folder should be; move it away or choose another"
                        + " path");
    }

    /** What went wrong with a file, in words: the JDK's exceptions often say only the path. */
    public static String describe(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or folder (" + e.getMessage() + ")";
        }
        if (e instanceof java.nio.file.NotDirectoryException
                || e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file is in the way (" + e.getMessage() + ")";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason() + " (" + f.getFile() + ")";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Appends {@code line} and a newline in one write and forces it to disk before returning, so
     * that a crash can cut at most the line being written (a reader drops a last line without its
     * newline).
     */
    public static void appendLine(Path file, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        try (FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        }
    }
}
