package dev.ddpm.cli;

import static dev.ddpm.cli.DdpmCommandTest.assertUsageError;
import static dev.ddpm.cli.DdpmCommandTest.ddpm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.testing.Slow;
import dev.ddpm.testing.TrainingFixtures;
import dev.ddpm.train.DiffusionTrainer;
import dev.ddpm.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed outright (kill -9), with checkpoints written at every step so that the
 * kill falls into a write or close to one: its run is locked while it lives, nothing it leaves
 * breaks the run, and the resumed run ends with the same weights as one never interrupted.
 */
@Slow
class CrashRecoveryTest {

    @TempDir Path tmp;

    @Test
    void killedDuringCheckpointWritesTheRunResumesExactly() throws Exception {
        Map<String, String> everyStep =
                Map.of(
                        "train.checkpoint_every_steps",
                        "1",
                        "train.log_every_steps",
                        "1",
                        "train.keep_checkpoints",
                        "2",
                        "train.label_dropout",
                        "0.3");
        Map<String, String> longRun = new LinkedHashMap<>(everyStep);
        longRun.put("train.epochs", "1000");
        Path config =
                Files.writeString(
                        tmp.resolve("tiny.json"),
                        ConfigLoader.toJson(TrainingFixtures.tiny(longRun)));
        RunDirectory run = new RunDirectory(tmp.resolve("checkpoints/crash"));
        try (TrainingProcess p =
                new TrainingProcess(
                        tmp, "--config", config.toString(), "--run", "crash", "--device", "cpu")) {
            assertTrue(
                    p.awaitLine(line -> line.contains("step 5/"), 180),
                    "no training progress:\n" + p.output());
            // While it trains, the run is its own: a second training is refused.
            assertUsageError(
                    ddpm("train", "-q", "--resume", run.root().toString(), "--device", "cpu"),
                    "is in use by another ddpm process (pid");
            p.signal("KILL");
            assertEquals(137, p.exitValue(60), p.output());
        }
        long stoppedAt = RunDirectory.stepOf(run.latestCheckpoint().orElseThrow());
        assertTrue(stoppedAt >= 5 && stoppedAt < 12, "the kill came at step " + stoppedAt);

        // The same run never interrupted, 3 epochs of 4 steps.
        Map<String, String> threeEpochs = new LinkedHashMap<>(everyStep);
        threeEpochs.put("train.epochs", "3");
        Map<String, float[]> expected = new LinkedHashMap<>();
        DdpmConfig tiny = TrainingFixtures.tiny(threeEpochs);
        try (DiffusionTrainer t =
                new DiffusionTrainer(tiny, TrainingFixtures.mnist(tiny), Device.cpu())) {
            TrainingLoop.forRun(t, new RunDirectory(tmp.resolve("straight"))).run();
            t.model().weights().forEach((name, w) -> expected.put(name, w.toFloatArray()));
        }

        assertEquals(
                0,
                DdpmCommand.execute(
                        "train",
                        "-q",
                        "--resume",
                        run.root().toString(),
                        "--epochs",
                        "3",
                        "--device",
                        "cpu"));
        try (Stream<Path> files = Files.list(run.root())) {
            assertFalse(
                    files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")),
                    "temporary file left");
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Checkpoint resumed = Checkpoint.read(run.checkpoint(12), m);
            expected.forEach(
                    (name, w) ->
                            assertArrayEquals(w, resumed.model().get(name).toFloatArray(), name));
        }
    }
}
