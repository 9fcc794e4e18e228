package dev.ddpm.cli;

import static dev.ddpm.cli.DdpmCommandTest.assertUsageError;
import static dev.ddpm.cli.DdpmCommandTest.ddpm;
import static dev.ddpm.cli.DdpmCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.cli.DdpmCommandTest.Run;
import dev.ddpm.io.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
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
