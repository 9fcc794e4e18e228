package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.model.UNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model that ships in {@code checkpoints/pretrained/}: a sampling checkpoint of at most 10 MB
 * holding only EMA weights that fit its own configuration, which is {@code
 * config/pretrained.json}'s model and diffusion, with its evaluation report beside it.
 */
class PretrainedModelTest {

    private static final RunDirectory SHIPPED =
            new RunDirectory(Path.of("checkpoints", RunDirectory.PRETRAINED));

    @Test
    void theShippedModelIsASmallSamplingCheckpointThatFitsItsConfiguration() throws Exception {
        Path file =
                SHIPPED.latestCheckpoint()
                        .orElseThrow(
                                () -> new AssertionError("no shipped model in " + SHIPPED.root()));
        assertTrue(Files.size(file) <= 10L << 20, file + " is " + Files.size(file) + " bytes");
        Checkpoint.Header header = Checkpoint.readHeader(file);
        assertTrue(header.model().isEmpty() && header.optimizer().isEmpty(), "EMA weights only");
        assertEquals(List.of(), new UNet(header.config().model()).mismatches(header.ema()));
        DdpmConfig recipe = ConfigLoader.load(Path.of("config", "pretrained.json"), Map.of());
        assertEquals(recipe.model(), header.config().model());
        assertEquals(recipe.diffusion(), header.config().diffusion());
        assertEquals(
                SamplingSettings.judging(recipe.train(), 0),
                SamplingSettings.judging(header.config().train(), 0),
                "sample and eval sample as the recipe is judged: DPM-Solver++, 10 steps, g 0.5");
        int batch = recipe.train().batchSize();
        long batchesPerEpoch = (60_000 + batch - 1) / batch; // MNIST's training images
        assertEquals(
                recipe.train().epochs() * batchesPerEpoch,
                header.state().step(),
                "trained to the end");
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertEquals(header.ema().keySet(), Checkpoint.read(file, m).ema().keySet());
        }
        try (var reports = Files.list(SHIPPED.root().resolve("eval"))) {
            assertTrue(reports.anyMatch(p -> p.toString().endsWith(".json")), "its eval report");
        }
    }
}
