package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.config.ConfigLoader;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.Safetensors;
import dev.ddpm.io.TrainingState;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @TempDir Path tmp;

    private static TrainingState state(Path checkpoint) throws IOException {
        return ConfigLoader.MAPPER.readValue(
                Safetensors.readHeader(checkpoint).metadata().get("state"), TrainingState.class);
    }

    /**
     * A real {@code ddpm train} process gets SIGINT (Ctrl-C) while training: it writes a
     * checkpoint, says how to resume and exits with 130; the run then resumes and finishes.
     */
    @Test
    void signalWritesACheckpointAndTheRunResumes() throws Exception {
        Path config = tmp.resolve("tiny.json");
        Files.writeString(
                config,
                ConfigLoader.toJson(TrainingFixtures.tiny(Map.of("train.epochs", "100000"))));
        String output;
        try (TrainingProcess p =
                new TrainingProcess(
                        tmp, "--config", config.toString(), "--run", "sig", "--device", "cpu")) {
            assertTrue(
                    p.awaitLine(line -> line.contains(" loss "), 180),
                    "no training progress:\n" + p.output());
            // What Ctrl-C sends. (Process.destroy would close the output pipe before it is read.)
            p.signal("INT");
            assertEquals(130, p.exitValue(120), p.output());
            output = p.output();
        }
        assertTrue(output.contains("Continue with: ./ddpm train --resume sig"), output);

        RunDirectory run = new RunDirectory(tmp.resolve("checkpoints/sig"));
        Path checkpoint =
                run.latestCheckpoint()
                        .orElseThrow(() -> new AssertionError("no checkpoint:\n" + output));
        TrainingState stopped = state(checkpoint);
        assertTrue(stopped.step() >= 2, stopped.toString());

        // A contradicting resume is refused (exit 2); a compatible one finishes the current epoch.
        String dir = run.root().toString();
        assertEquals(
                2,
                DdpmCommand.execute("train", "--resume", dir, "--seed", "99", "--device", "cpu"));
        int epochs = stopped.epoch() + 1;
        assertEquals(
                0,
                DdpmCommand.execute(
                        "train",
                        "--resume",
                        dir,
                        "--epochs",
                        Integer.toString(epochs),
                        "--device",
                        "cpu"));
        assertEquals(
                new TrainingState(epochs * 4L, epochs, 0, 0, epochs * 4L),
                state(run.latestCheckpoint().orElseThrow()));
    }
}
