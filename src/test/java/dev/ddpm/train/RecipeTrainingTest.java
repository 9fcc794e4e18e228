package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.testing.TrainingFixtures;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped model's recipe trains with the native kernels the launcher and the tests choose. On
 * the 2-core AMD EPYC this project runs on, oneDNN's AVX2 convolution kernels turned its loss into
 * NaN within 5 steps (the divergence guard stops such a run); its SSE4.1 kernels do not.
 */
class RecipeTrainingTest {

    @TempDir Path tmp;

    @Test
    void theShippedRecipeTrainsWithFiniteLosses() throws Exception {
        DdpmConfig recipe =
                ConfigLoader.load(
                        Path.of("config", "pretrained.json"),
                        Map.of(
                                "train.epochs", "1",
                                "train.train_limit", "640",
                                "train.log_every_steps", "1",
                                "train.checkpoint_every_steps", "100",
                                "train.sample_every_steps", "0",
                                "train.data_dir", TrainingFixtures.dataRoot().toString()));
        try (DiffusionTrainer trainer =
                new DiffusionTrainer(recipe, TrainingFixtures.mnist(recipe), Device.cpu())) {
            TrainingLoop.Outcome outcome =
                    TrainingLoop.forRun(trainer, new RunDirectory(tmp.resolve("run"))).run();
            assertEquals(TrainingLoop.Outcome.COMPLETED, outcome);
            assertEquals(10, trainer.stepsDone());
        }
    }
}
