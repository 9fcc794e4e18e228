package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training results must not depend on when the garbage collector runs. A thread forces collections
 * all the time, so that they land inside training steps, between the forward and the backward pass:
 * an array whose memory a collection can free while libtorch still uses it (see {@code
 * NativeArrays}) then changes the gradients, and two runs of the same seed disagree.
 */
class GarbageCollectionDeterminismTest {

    @TempDir Path tmp;

    @Test
    void sameSeedSameWeightsWhileCollectionsRunInsideSteps() throws Exception {
        // Attention (in the bottleneck), label dropout, clipping and EMA: every part of a step.
        DdpmConfig config =
                TrainingFixtures.tiny(
                        Map.of(
                                "train.label_dropout",
                                "0.3",
                                "train.grad_clip",
                                "1.0",
                                "train.epochs",
                                "3"));
        try (CollectorPressure pressure = new CollectorPressure()) {
            Map<String, float[]> first = train(config, "first", null);
            Map<String, float[]> second = train(config, "second", null);
            Map<String, float[]> resumed = train(config, "resumed", 7L);
            assertSame(first, second, "second run");
            assertSame(first, resumed, "run stopped at step 7 and resumed");
            pressure.requireCollections(20);
        }
    }

    private Map<String, float[]> train(DdpmConfig config, String name, Long stopAt)
            throws IOException {
        RunDirectory run = new RunDirectory(tmp.resolve(name));
        if (stopAt != null) {
            try (DiffusionTrainer t =
                    new DiffusionTrainer(config, TrainingFixtures.mnist(config), Device.cpu())) {
                assertEquals(TrainingLoop.Outcome.STOPPED, TrainingLoop.forRun(t, run).run(stopAt));
            }
        }
        try (DiffusionTrainer t =
                new DiffusionTrainer(config, TrainingFixtures.mnist(config), Device.cpu())) {
            if (stopAt != null) {
                t.resume(run.latestCheckpoint().orElseThrow());
            }
            assertEquals(TrainingLoop.Outcome.COMPLETED, TrainingLoop.forRun(t, run).run());
            Map<String, float[]> weights = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : t.model().weights().entrySet()) {
                weights.put(e.getKey(), e.getValue().toFloatArray());
            }
            return weights;
        }
    }

    private static void assertSame(
            Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach(
                (k, v) -> assertArrayEquals(v, actual.get(k), what + ": weight " + k + " differs"));
    }

    /** A daemon thread that calls {@code System.gc()} every few milliseconds until closed. */
    private static final class CollectorPressure implements AutoCloseable {
        /** Short enough that several collections fall into every step of the tiny model. */
        private static final int PAUSE_MILLIS = 20;

        private volatile boolean running = true;
        private volatile int collections;
        private final Thread thread =
                new Thread(
                        () -> {
                            while (running) {
                                System.gc();
                                collections++;
                                try {
                                    Thread.sleep(PAUSE_MILLIS);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "gc-pressure");

        CollectorPressure() {
            thread.setDaemon(true);
            thread.start();
        }

        void requireCollections(int atLeast) {
            assertEquals(
                    true,
                    collections >= atLeast,
                    "only " + collections + " collections were forced");
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }
}
