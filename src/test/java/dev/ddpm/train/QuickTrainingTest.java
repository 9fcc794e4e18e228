package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick configuration's model on real MNIST, on the CPU: it learns, and memory stays flat. */
class QuickTrainingTest {

    private static final int WARMUP = 20;
    private static final int STEPS = 100;
    private static final int LOG_EVERY = 10;

    @TempDir
    Path tmp;

    /** Arrays alive anywhere in the engine: everything hangs off the system manager. */
    private static long liveArrays() {
        try (NDManager probe = NDManager.newBaseManager("PyTorch")) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    @Test
    void lossDecreasesAndNativeMemoryDoesNotGrow() throws IOException {
        // Batches of 16 from 2,400 images keep this to a few hundred forward/backward passes of the quick model.
        DdpmConfig config = ConfigLoader.load(Path.of("config/quick.json"), Map.of(
                "train.batch_size", "16", "train.train_limit", "2400", "train.epochs", "1",
                "train.log_every_steps", Integer.toString(LOG_EVERY), "train.checkpoint_every_steps", "1000",
                "train.sample_every_steps", "0", "train.data_dir", TrainingFixtures.dataRoot().toString()));
        RunDirectory run = new RunDirectory(tmp.resolve("quick"));
        try (Trainer trainer = new Trainer(config, TrainingFixtures.mnist(), Device.cpu())) {
            assertEquals(Trainer.Outcome.STOPPED, trainer.run(run, WARMUP));
            long arraysAfterWarmup = liveArrays();
            long rssAfterWarmup = ProcessMemory.residentBytes();
            assertEquals(Trainer.Outcome.STOPPED, trainer.run(run, STEPS));
            long arraysAtEnd = liveArrays();
            long rssAtEnd = ProcessMemory.residentBytes();

            assertEquals(arraysAfterWarmup, arraysAtEnd, "live NDArrays grew from step " + WARMUP + " to " + STEPS);
            // Allocator caches may settle a little; a leak of even one batch per step would be far larger.
            long growth = rssAtEnd - rssAfterWarmup;
            assertTrue(growth < 64L << 20, "resident memory grew by " + (growth >> 20) + " MiB over "
                    + (STEPS - WARMUP) + " steps");
        }
        List<MetricsLog.Entry> log = readMetrics(run.metrics());
        assertEquals(STEPS / LOG_EVERY, log.size());
        double first = (log.get(0).loss() + log.get(1).loss()) / 2;
        double last = (log.get(log.size() - 1).loss() + log.get(log.size() - 2).loss()) / 2;
        assertTrue(last < 0.8 * first, "loss went from " + first + " (first " + 2 * LOG_EVERY + " steps) to " + last
                + " (last " + 2 * LOG_EVERY + ")");
    }

    private static List<MetricsLog.Entry> readMetrics(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(line -> {
            try {
                return ConfigLoader.MAPPER.readValue(line, MetricsLog.Entry.class);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }
}
