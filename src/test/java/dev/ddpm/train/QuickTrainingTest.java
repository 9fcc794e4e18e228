package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.testing.Slow;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick configuration's model on real MNIST, on the CPU: it learns, and memory stays flat. */
@Slow
class QuickTrainingTest {

    private static final int WARMUP = 40;
    private static final int STEPS = 100;
    private static final int LOG_EVERY = 10;

    @TempDir Path tmp;

    /** Arrays alive anywhere in the engine: everything hangs off the system manager. */
    private static long liveArrays() {
        try (NDManager probe = NDManager.newBaseManager("PyTorch")) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    /**
     * Process RSS less the memory the JVM has committed for its heap and metadata: the Java heap
     * grows lazily towards -Xmx with garbage, which says nothing about native arrays.
     */
    private static long nativeResidentBytes() {
        System.gc();
        MemoryMXBean jvm = ManagementFactory.getMemoryMXBean();
        return ProcessMemory.residentBytes()
                - jvm.getHeapMemoryUsage().getCommitted()
                - jvm.getNonHeapMemoryUsage().getCommitted();
    }

    @Test
    void lossDecreasesAndNativeMemoryDoesNotGrow() throws IOException {
        // Batches of 16 from 2,400 images keep this to a few hundred forward/backward passes of the
        // quick model.
        DdpmConfig config =
                ConfigLoader.load(
                        Path.of("config/quick.json"),
                        Map.of(
                                "train.batch_size",
                                "16",
                                "train.train_limit",
                                "2400",
                                "train.epochs",
                                "1",
                                "train.log_every_steps",
                                Integer.toString(LOG_EVERY),
                                "train.checkpoint_every_steps",
                                "1000",
                                "train.sample_every_steps",
                                "0",
                                "train.data_dir",
                                TrainingFixtures.dataRoot().toString()));
        RunDirectory run = new RunDirectory(tmp.resolve("quick"));
        try (DiffusionTrainer trainer =
                new DiffusionTrainer(config, TrainingFixtures.mnist(config), Device.cpu())) {
            assertEquals(
                    TrainingLoop.Outcome.STOPPED, TrainingLoop.forRun(trainer, run).run(WARMUP));
            long arraysAfterWarmup = liveArrays();
            long rssAfterWarmup = nativeResidentBytes();
            assertEquals(
                    TrainingLoop.Outcome.STOPPED, TrainingLoop.forRun(trainer, run).run(STEPS));
            long arraysAtEnd = liveArrays();
            long rssAtEnd = nativeResidentBytes();

            assertEquals(
                    arraysAfterWarmup,
                    arraysAtEnd,
                    "live NDArrays grew from step " + WARMUP + " to " + STEPS);
            // The allocator's caches and arenas still settle a little after warm-up (tens of MiB);
            // keeping one
            // batch of activations per step would add about 20 MiB per step, over a GiB here.
            long growth = rssAtEnd - rssAfterWarmup;
            assertTrue(
                    growth < 96L << 20,
                    "resident memory outside the Java heap grew by "
                            + (growth >> 20)
                            + " MiB over "
                            + (STEPS - WARMUP)
                            + " steps");
        }
        List<MetricsLog.Entry> log = readMetrics(run.metrics());
        assertEquals(STEPS / LOG_EVERY, log.size());
        double first = (log.get(0).loss() + log.get(1).loss()) / 2;
        double last = (log.get(log.size() - 1).loss() + log.get(log.size() - 2).loss()) / 2;
        assertTrue(
                last < 0.8 * first,
                "loss went from "
                        + first
                        + " (first "
                        + 2 * LOG_EVERY
                        + " steps) to "
                        + last
                        + " (last "
                        + 2 * LOG_EVERY
                        + ")");
    }

    private static List<MetricsLog.Entry> readMetrics(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(
                        line -> {
                            try {
                                return ConfigLoader.MAPPER.readValue(line, MetricsLog.Entry.class);
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        })
                .toList();
    }
}
