package dev.ddpm.cli;

import static dev.ddpm.cli.DdpmCommandTest.assertUsageError;
import static dev.ddpm.cli.DdpmCommandTest.ddpm;
import static dev.ddpm.cli.DdpmCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ddpm.cli.DdpmCommandTest.Run;
import dev.ddpm.common.UserException;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The probes of a hostile user that once escaped as stack traces, wrong exit codes or lost data,
 * kept as regression tests: every one is one line on standard error and exit code 2 (1 for a
 * failure of the machine).
 */
class HostileInputTest {

    @TempDir Path dir;

    @Test
    void runNamesStayInsideTheCheckpointsFolder() throws Exception {
        for (String name :
                new String[] {"", "../..", "/tmp/elsewhere", ".hidden", "a/b", "pretrained"}) {
            assertUsageError(
                    ddpm("train", "-q", "--run", name), "run name '" + name + "' is not allowed");
        }
    }

    @Test
    void malformedSetKeysAreOneLine() throws Exception {
        assertUsageError(ddpm("info", "--set", "..=1"), "unknown config key '..'");
        assertUsageError(ddpm("info", "--set", "train..lr=1"), "unknown config key 'train..lr'");
        assertUsageError(ddpm("info", "--set", ".=1"), "unknown config key '.'");
    }

    @Test
    void configurationsThatCannotFitTheDataAreRefusedBeforeAnyWork() throws Exception {
        assertUsageError(
                ddpm("train", "-q", "--set", "model.num_classes=5", "--run", "c5"),
                "model.num_classes=5 does not fit mnist");
        assertUsageError(
                ddpm("train", "-q", "--set", "model.image_size=64", "--run", "s64"),
                "model.image_size=64 does not fit mnist");
        assertUsageError(
                ddpm("train", "-q", "--set", "model.in_channels=2", "--run", "c2"),
                "model.in_channels=2 does not fit mnist");
        assertFalse(Files.exists(Path.of("checkpoints", "c5")), "no run folder for a refused run");
    }

    @Test
    void evalRefusesTooFewImagesForItsStatisticsUpFront() throws Exception {
        assertUsageError(
                ddpm("eval", "-q", "--n", "1", "--digit", "3"),
                "the Frechet distance needs at least 2");
    }

    @Test
    void aRunInUseIsRefused() throws Exception {
        assertUsageError(
                lockedElsewhere(new RunDirectory(dir.resolve("checkpoints/busy"))),
                "is in use by another ddpm process");
    }

    /** What a second process meets: the lock of a run folder held by someone else. */
    private static Run lockedElsewhere(RunDirectory run) throws Exception {
        try (AutoCloseable held = run.lock()) {
            return run(
                    () -> DdpmCommand.execute(new CommandLine(new LockProbe(run)), new String[0]));
        }
    }

    @Command(name = "probe")
    static final class LockProbe implements Callable<Integer> {
        private final RunDirectory run;

        LockProbe(RunDirectory run) {
            this.run = run;
        }

        @Override
        public Integer call() throws Exception {
            try (AutoCloseable lock = run.lock()) {
                return 0;
            }
        }
    }

    /** The model that ships with ddpm: loads in a moment, generates MNIST-shaped digits. */
    private static final String SHIPPED =
            Path.of("checkpoints", RunDirectory.PRETRAINED).toString();

    /** A named pipe (Unix only); reading one waits for a writer, writing over one replaces it. */
    private Path pipe(String name) throws Exception {
        Path pipe = dir.resolve(name);
        assumeTrue(
                new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0,
                "mkfifo makes a named pipe");
        return pipe;
    }

    private static boolean isPipe(Path p) {
        return Files.exists(p) && !Files.isRegularFile(p) && !Files.isDirectory(p);
    }

    /** {@code ddpm sample} of {@code checkpoint} onto {@code out}. */
    private static Run sample(Path checkpoint, String out) throws Exception {
        return ddpm(
                "sample",
                "-q",
                "--digit",
                "1",
                "--checkpoint",
                checkpoint.toString(),
                "--out",
                out);
    }

    @Test
    void outputsThatAreNotRegularFilesAreRefusedBeforeTheCheckpointIsRead() throws Exception {
        Path pipe = pipe("grid.png");
        Path garbage = Files.writeString(dir.resolve("garbage.safetensors"), "no checkpoint");
        // The checkpoint is unreadable: a refusal that names the output came before reading it.
        assertUsageError(sample(garbage, pipe.toString()), "cannot write " + pipe);
        assertTrue(isPipe(pipe), "the pipe is left in place");
        assertUsageError(sample(garbage, "-"), "not standard output");
        assertUsageError(
                ddpm(
                        "export",
                        "-q",
                        "--checkpoint",
                        garbage.toString(),
                        "--to",
                        pipe.toString(),
                        "--force"),
                "cannot write " + pipe);
        assertUsageError(
                ddpm(
                        "import",
                        "-q",
                        "--from",
                        garbage.toString(),
                        "--out",
                        pipe.toString(),
                        "--force"),
                "cannot write " + pipe);
        assertTrue(isPipe(pipe));
        assumeTrue(Files.exists(Path.of("/dev/null")));
        Path devNull = Files.createSymbolicLink(dir.resolve("null.png"), Path.of("/dev/null"));
        assertUsageError(sample(garbage, devNull.toString()), "cannot write " + devNull);
        assertTrue(Files.isSymbolicLink(devNull), "the link to the device is left in place");
    }

    @Test
    void gifAndEvalCheckEveryFileTheyWriteBeforeSampling() throws Exception {
        Path gifs = Files.createDirectories(dir.resolve("gifs"));
        Path pipe = pipe("gifs/digit-3.gif");
        assertUsageError(
                ddpm(
                        "gif",
                        "-q",
                        "--checkpoint",
                        SHIPPED,
                        "--digit",
                        "3",
                        "--out",
                        gifs.toString()),
                "cannot write " + pipe);
        assertTrue(isPipe(pipe));

        Path file = Files.writeString(dir.resolve("reports"), "a file, not a folder");
        assertUsageError(
                ddpm("eval", "-q", "--checkpoint", SHIPPED, "--out", file.toString()),
                file + " is a file where a folder should be");
        Path classifier = pipe("classifier.safetensors");
        assertUsageError(
                ddpm(
                        "eval",
                        "-q",
                        "--checkpoint",
                        SHIPPED,
                        "--out",
                        dir.resolve("eval").toString(),
                        "--classifier",
                        classifier.toString()),
                classifier + " is not a regular file");
        assertTrue(isPipe(classifier), "never waited on, never replaced");
    }

    @Test
    void inputsThatAreNotRegularFilesAreRefusedWithoutWaitingOnThem() throws Exception {
        Path pipe = pipe("weights.safetensors");
        assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> {
                    assertUsageError(
                            ddpm(
                                    "import",
                                    "-q",
                                    "--from",
                                    pipe.toString(),
                                    "--out",
                                    dir.resolve("x.safetensors").toString()),
                            "--from " + pipe + ": not a regular file");
                    UserException e =
                            assertThrows(UserException.class, () -> Safetensors.readHeader(pipe));
                    assertTrue(
                            e.getMessage().contains(pipe + " is not a regular file"),
                            e.getMessage());
                });
    }

    @Test
    void configurationsThatAreNoConfigurationsAreUsageErrors() throws Exception {
        Map<String, String> problems =
                Map.of(
                        "deep.json",
                        "[".repeat(5000),
                        "dup.json",
                        "{\"train\": {\"lr\": 1e-3, \"lr\": 2e-3}}");
        for (Map.Entry<String, String> p : problems.entrySet()) {
            Path file = Files.writeString(dir.resolve(p.getKey()), p.getValue());
            assertUsageError(ddpm("info", "--config", file.toString()), "config file " + file);
        }
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(zero));
        assertUsageError(ddpm("info", "--config", zero.toString()), "config file /dev/zero");
    }

    @Test
    void aFileWhereTheRunFolderGoesIsAUsageError() throws Exception {
        RunDirectory run = new RunDirectory(Files.writeString(dir.resolve("quick"), "notes"));
        Run r = run(() -> DdpmCommand.execute(new CommandLine(new LockProbe(run)), new String[0]));
        assertUsageError(r, "run folder " + run.root());
        assertUsageError(r, "pick another --run name");
    }

    @Test
    void anExhaustedHeapIsOneLineNamingWhatToChange() throws Exception {
        Run r = run(() -> DdpmCommand.execute(new CommandLine(new Exhaust()), new String[0]));
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(
                r.err().contains("out of Java heap memory") && r.err().contains("DDPM_JAVA_OPTS"),
                r.err());
    }

    @Command(name = "exhaust")
    static final class Exhaust implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void temporaryFilesOfInterruptedWritesAreRemovedWithTheLockHeld() throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        Files.createDirectories(run.samples());
        Path checkpointTmp =
                Files.writeString(run.root().resolve(".step-00000003.safetensors.123.tmp"), "x");
        Path plotTmp = Files.writeString(run.root().resolve(".loss.png.456.tmp"), "x");
        Path sampleTmp =
                Files.writeString(run.samples().resolve(".step-00000003.png.789.tmp"), "x");
        Path kept = Files.writeString(run.root().resolve("notes.tmp"), "mine");
        try (AutoCloseable lock = run.lock()) {
            run.removeTemporaryFiles();
        }
        for (Path gone : new Path[] {checkpointTmp, plotTmp, sampleTmp}) {
            assertFalse(Files.exists(gone), gone + " left behind");
        }
        assertTrue(Files.exists(kept), "a file that is not ddpm's stays");
        try (Stream<Path> files = Files.list(run.root())) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().equals(".lock")));
        }
    }
}
