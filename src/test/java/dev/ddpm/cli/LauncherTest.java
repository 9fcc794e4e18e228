package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ddpm.testing.Slow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./ddpm} in a fresh clone of the repository, built with Maven offline: the launcher must
 * build the application from nothing but the committed files and the local Maven repository.
 * Uncommitted changes of the working copy are not part of the clone.
 */
@Slow
class LauncherTest {

    @TempDir Path dir;

    record Result(int exit, String out, String err) {}

    static Result run(Path workDir, Map<String, String> env, List<String> command)
            throws Exception {
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        try {
            ProcessBuilder pb =
                    new ProcessBuilder(command)
                            .directory(workDir.toFile())
                            .redirectOutput(out.toFile())
                            .redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(8, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish within 8 minutes");
            }
            return new Result(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void helpWorksFromACleanCloneOffline() throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        Result top = gitTopLevel(repo);
        assumeTrue(
                top.exit() == 0 && Path.of(top.out().trim()).equals(repo.toRealPath()),
                repo + " is not a git checkout, so there is nothing to clone");

        Path clone = dir.resolve("clone");
        Result cloned =
                run(
                        dir,
                        Map.of(),
                        List.of("git", "clone", "--quiet", repo.toString(), clone.toString()));
        assertEquals(0, cloned.exit(), cloned.err());
        assertFalse(Files.exists(clone.resolve("target")), "a clean clone has no build");

        Map<String, String> offline = Map.of("DDPM_MVN_ARGS", "-o");
        Result help = run(clone, offline, List.of("./ddpm", "--help"));
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.err().contains("ddpm: building"), help.err());
        assertTrue(help.out().startsWith("Usage: ddpm"), help.out());
        for (String command : DdpmCommandTest.COMMANDS) {
            assertTrue(
                    help.out().contains("\n  " + command + " "),
                    command + " listed in: " + help.out());
        }

        // Built once: the next run starts straight away.
        Result version = run(clone, offline, List.of("./ddpm", "--version"));
        assertEquals(0, version.exit(), version.err());
        assertTrue(version.out().startsWith("ddpm "), version.out());
        assertFalse(version.err().contains("building"), version.err());

        Result usage = run(clone, offline, List.of("./ddpm", "frobnicate"));
        assertEquals(2, usage.exit(), usage.err());
        assertEquals(1, usage.err().lines().count(), usage.err());

        // A fresh clone has no run of its own, so the model that ships with ddpm is the default.
        Result info = run(clone, offline, List.of("./ddpm", "info"));
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.err().contains("using the model that ships with ddpm"), info.err());
        assertTrue(info.out().contains("checkpoints/pretrained/step-"), info.out());

        // From another folder the launcher still finds the installation's model.
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Result away = run(elsewhere, offline, List.of(clone.resolve("ddpm").toString(), "info"));
        assertEquals(0, away.exit(), away.err());
        assertTrue(
                away.out().contains(clone.resolve("checkpoints/pretrained/step-").toString()),
                away.out());
    }

    private static Result gitTopLevel(Path repo) throws Exception {
        try {
            return run(repo, Map.of(), List.of("git", "rev-parse", "--show-toplevel"));
        } catch (IOException e) {
            return new Result(-1, "", "git is not installed");
        }
    }
}
