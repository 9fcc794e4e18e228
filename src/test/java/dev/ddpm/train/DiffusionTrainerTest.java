package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.TrainingState;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffusionTrainerTest {

    @TempDir Path tmp;

    private static Map<String, float[]> snapshot(Map<String, NDArray> arrays) {
        Map<String, float[]> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static void assertSameWeights(
            Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), what + " " + k));
    }

    @Test
    void resumedRunReachesTheSameWeightsAsAnUninterruptedOne() throws IOException {
        DdpmConfig config = TrainingFixtures.tiny(Map.of("train.label_dropout", "0.5"));
        RunDirectory straight = new RunDirectory(tmp.resolve("straight"));
        Map<String, float[]> expected;
        try (DiffusionTrainer t = trainer(config)) {
            assertEquals(TrainingLoop.Outcome.COMPLETED, TrainingLoop.forRun(t, straight).run());
            assertEquals(new TrainingState(8, 2, 0, 0, 8), t.state());
            expected = snapshot(t.model().weights());
        }

        RunDirectory interrupted = new RunDirectory(tmp.resolve("interrupted"));
        try (DiffusionTrainer t = trainer(config)) {
            // Stops mid-epoch (step 5 of 8 is batch 1 of epoch 1), so the position in the epoch
            // matters.
            assertEquals(TrainingLoop.Outcome.STOPPED, TrainingLoop.forRun(t, interrupted).run(5));
        }
        Path checkpoint = interrupted.latestCheckpoint().orElseThrow();
        assertEquals(interrupted.checkpoint(5), checkpoint);
        try (DiffusionTrainer t = trainer(config)) {
            t.resume(checkpoint);
            assertEquals(new TrainingState(5, 1, 1, 0, 5), t.state());
            assertEquals(TrainingLoop.Outcome.COMPLETED, TrainingLoop.forRun(t, interrupted).run());
            assertSameWeights(expected, snapshot(t.model().weights()), "weights");
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Checkpoint a = Checkpoint.read(straight.checkpoint(8), m);
            Checkpoint b = Checkpoint.read(interrupted.checkpoint(8), m);
            assertSameWeights(snapshot(a.ema()), snapshot(b.ema()), "EMA");
            assertSameWeights(snapshot(a.optimizer()), snapshot(b.optimizer()), "optimizer");
            assertEquals(a.state(), b.state());
        }
        // keep_checkpoints = 2: of 3, 4 (epoch end), 5 (stop), 6 and 8 (epoch end) the last two
        // remain.
        assertEquals(
                List.of(interrupted.checkpoint(6), interrupted.checkpoint(8)),
                interrupted.checkpoints());
        assertTrue(Files.exists(interrupted.lossPlot()));
        // The resumed run logged steps 6 and 8 after the first session's 2 and 4.
        List<String> lines = Files.readAllLines(interrupted.metrics());
        assertEquals(4, lines.size(), lines.toString());
    }

    @Test
    void interruptedCheckpointWriteLeavesThePreviousCheckpointReadable() throws IOException {
        DdpmConfig config = TrainingFixtures.tiny(Map.of());
        RunDirectory run = new RunDirectory(tmp.resolve("run"));
        try (DiffusionTrainer t = trainer(config)) {
            TrainingLoop.forRun(t, run).run(3);
            Path target = run.checkpoint(3);
            byte[] before = Files.readAllBytes(target);
            TrainingLoop.forRun(t, run).run(4);
            byte[] newer = Files.readAllBytes(run.checkpoint(4));
            // The step-4 checkpoint's bytes written over step 3's, cut off half-way by a failure.
            IOException failure =
                    assertThrows(
                            IOException.class,
                            () ->
                                    AtomicFiles.write(
                                            target,
                                            out -> {
                                                out.write(newer, 0, newer.length / 2);
                                                throw new IOException("disk full");
                                            }));
            assertEquals("disk full", failure.getMessage());
            assertArrayEquals(before, Files.readAllBytes(target));
            try (NDManager m = NDManager.newBaseManager("PyTorch");
                    Stream<Path> files = Files.list(run.root())) {
                assertEquals(3, Checkpoint.read(target, m).state().step());
                assertFalse(
                        files.anyMatch(p -> p.toString().endsWith(".tmp")),
                        "temporary file left behind");
            }
        }
    }

    @Test
    void nonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws IOException {
        DdpmConfig config = TrainingFixtures.tiny(Map.of());
        RunDirectory run = new RunDirectory(tmp.resolve("run"));
        try (DiffusionTrainer t = trainer(config)) {
            TrainingLoop.forRun(t, run).run(3);
            byte[] good = Files.readAllBytes(run.checkpoint(3));
            // Divergence, as a too-large learning rate ends: a weight becomes NaN.
            t.model().weights().values().iterator().next().muli(Float.NaN);
            TrainingDivergedException e =
                    assertThrows(
                            TrainingDivergedException.class,
                            () -> TrainingLoop.forRun(t, run).run());
            assertTrue(
                    e.getMessage().contains("step 4")
                            && e.getMessage().contains("NaN")
                            && e.getMessage().contains("step 3"),
                    e.getMessage());
            assertEquals(List.of(run.checkpoint(3)), run.checkpoints());
            assertArrayEquals(good, Files.readAllBytes(run.checkpoint(3)));
            assertFalse(Files.readString(run.metrics()).contains("NaN"));
        }
    }

    /** A trainer on the images {@code config} trains on, on the CPU. */
    private static DiffusionTrainer trainer(DdpmConfig config) {
        return new DiffusionTrainer(config, TrainingFixtures.mnist(config), Device.cpu());
    }
}
