package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.config.ConfigLoader;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.Safetensors;
import dev.ddpm.io.TrainingState;
import dev.ddpm.testing.TrainingFixtures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
        Process p =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dai.djl.offline=true",
                                "-cp",
                                System.getProperty("java.class.path"),
                                DdpmCommand.class.getName(),
                                "train",
                                "--config",
                                config.toString(),
                                "--run",
                                "sig",
                                "--device",
                                "cpu")
                        .directory(tmp.toFile())
                        .redirectErrorStream(true)
                        .start();
        StringBuffer output = new StringBuffer();
        CountDownLatch training = new CountDownLatch(1);
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    p.getInputStream(), StandardCharsets.UTF_8))) {
                                for (String line; (line = r.readLine()) != null; ) {
                                    output.append(line).append('\n');
                                    if (line.contains(" loss ")) {
                                        training.countDown();
                                    }
                                }
                            } catch (IOException e) {
                                output.append(e);
                            }
                        });
        reader.start();
        try {
            assertTrue(training.await(180, TimeUnit.SECONDS), "no training progress:\n" + output);
            // What Ctrl-C sends. (Process.destroy would close the output pipe before it is read.)
            assertEquals(
                    0,
                    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not stop:\n" + output);
            reader.join(10_000);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        assertEquals(130, p.exitValue(), output.toString());
        assertTrue(
                output.toString().contains("Continue with: ./ddpm train --resume sig"),
                output.toString());

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
