package dev.ddpm.cli;

import static dev.ddpm.cli.DdpmCommandTest.assertUsageError;
import static dev.ddpm.cli.DdpmCommandTest.ddpm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.cli.DdpmCommandTest.Run;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.testing.TrainingFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm bench} on the tiny model: a row per batch size, then the sampling time. */
class BenchCommandTest {

    @TempDir Path dir;

    @Test
    void aRowPerBatchSizeThenSampling() throws Exception {
        Path config =
                Files.writeString(
                        dir.resolve("tiny.json"),
                        ConfigLoader.toJson(TrainingFixtures.tiny(Map.of())));
        Run r =
                ddpm(
                        "bench",
                        "-q",
                        "--device",
                        "cpu",
                        "--config",
                        config.toString(),
                        "--batch-size",
                        "4,8",
                        "--steps",
                        "2",
                        "--warmup",
                        "1",
                        "--sample-steps",
                        "2");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(
                r.out()
                        .lines()
                        .anyMatch(l -> l.matches("\\s+4\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+-")),
                r.out());
        assertTrue(
                r.out()
                        .lines()
                        .anyMatch(l -> l.matches("\\s+8\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+-")),
                r.out());
        assertTrue(r.out().contains("ms per DDPM step for a batch of 8"), r.out());
        assertUsageError(ddpm("bench", "--batch-size", "0"), "--batch-size must be at least 1");
    }
}
