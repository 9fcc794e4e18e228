package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.testing.Slow;
import dev.ddpm.testing.TrainingFixtures;
import dev.ddpm.train.Trainer;
import dev.ddpm.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training started with spinning libtorch threads on a free CPU meets a busy process: it hands
 * the run over to a new process whose threads sleep, and the run ends with the weights of one never
 * interrupted.
 */
@Slow
class HandOverTest {

    @TempDir Path tmp;

    @Test
    void aBusyCpuMovesTheRunToSleepingThreadsWithTheSameResult() throws Exception {
        Map<String, String> settings =
                Map.of("train.epochs", "12", "train.checkpoint_every_steps", "10");
        Path config =
                Files.writeString(
                        tmp.resolve("tiny.json"),
                        ConfigLoader.toJson(TrainingFixtures.tiny(settings)));
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        String output;
        try (TrainingProcess p =
                new TrainingProcess(
                        tmp,
                        Map.of("OMP_WAIT_POLICY", "ACTIVE", "DDPM_WAIT_POLICY_CHOSEN", "1"),
                        "--config",
                        config.toString(),
                        "--run",
                        "handed",
                        "--device",
                        "cpu")) {
            assertEquals(0, p.exitValue(600), p.output());
            output = p.output();
        } finally {
            busy.destroyForcibly();
        }
        assertTrue(
                output.contains("continues from step") && output.contains("resumed from"), output);

        Map<String, float[]> expected = new LinkedHashMap<>();
        try (Trainer t =
                new Trainer(
                        TrainingFixtures.tiny(settings), TrainingFixtures.mnist(), Device.cpu())) {
            TrainingLoop.forRun(t, new RunDirectory(tmp.resolve("straight"))).run();
            t.model().weights().forEach((name, w) -> expected.put(name, w.toFloatArray()));
        }
        RunDirectory run = new RunDirectory(tmp.resolve("checkpoints/handed"));
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Checkpoint last = Checkpoint.read(run.checkpoint(48), m);
            expected.forEach(
                    (name, w) -> assertArrayEquals(w, last.model().get(name).toFloatArray(), name));
        }
    }
}
