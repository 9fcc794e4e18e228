package dev.ddpm.cli;

import static dev.ddpm.cli.DdpmCommandTest.assertUsageError;
import static dev.ddpm.cli.DdpmCommandTest.ddpm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddpm.cli.DdpmCommandTest.Run;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.eval.TrainedClassifier;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.TrainingState;
import dev.ddpm.model.UNet;
import dev.ddpm.testing.Slow;
import dev.ddpm.testing.TrainingFixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddpm eval} end to end on a tiny randomly initialised checkpoint: the report, not the
 * quality.
 */
@Slow
class EvalCommandTest {

    /** 32x32 images (the classifier's input), one level of 8 channels, 20 timesteps. */
    static final ModelConfig TINY = new ModelConfig(8, 1, 8, 10, 1, 32, List.of(), 8);

    @TempDir Path dir;

    private Path tinyCheckpoint() throws Exception {
        DiffusionConfig r = DiffusionConfig.reference();
        DdpmConfig config =
                DdpmConfig.reference()
                        .withModel(TINY)
                        .withDiffusion(
                                new DiffusionConfig(
                                        20,
                                        r.schedule(),
                                        r.betaStart(),
                                        r.betaEnd(),
                                        r.cosineS(),
                                        0,
                                        true,
                                        DiffusionConfig.Loss.L1,
                                        DiffusionConfig.Precision.FLOAT64));
        Path checkpoint = dir.resolve("checkpoints/tiny/step-00000010.safetensors");
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            new Checkpoint(
                            config,
                            UNet.create(TINY, m).weights(),
                            Map.of(),
                            Map.of(),
                            new TrainingState(10, 0, 10, 0, 0))
                    .write(checkpoint);
        }
        return checkpoint;
    }

    @Test
    void writesAReportWithEveryPromisedFieldAndAGridOfTheEvaluatedImages() throws Exception {
        Path mnist = TrainingFixtures.mnistDir();
        TrainedClassifier.get(); // trained (or loaded) once for all tests
        Path checkpoint = tinyCheckpoint();
        Run r =
                ddpm(
                        "eval",
                        "--quiet",
                        "--device",
                        "cpu",
                        "--checkpoint",
                        checkpoint.toString(),
                        "--n",
                        "3",
                        "--sampler",
                        "ddim",
                        "--steps",
                        "2",
                        "--guidance",
                        "1",
                        "--seed",
                        "5",
                        "--batch",
                        "16",
                        "--data-dir",
                        mnist.toString(),
                        "--classifier",
                        TrainedClassifier.CACHE.toString());
        assertEquals(0, r.exit(), r.toString());
        Path json = dir.resolve("checkpoints/tiny/eval/step-00000010-ddim-2-g1-seed5-n3.json");
        Path png = dir.resolve("checkpoints/tiny/eval/step-00000010-ddim-2-g1-seed5-n3.png");
        assertTrue(
                r.out().contains("Frechet distance") && r.out().contains(json.toString()), r.out());

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals(checkpoint.toString(), report.get("checkpoint").asText());
        assertEquals(10, report.get("step").asLong());
        assertEquals("trained", report.get("weights").asText()); // the checkpoint has no EMA
        JsonNode sampling = report.get("sampling");
        assertEquals("ddim", sampling.get("sampler").asText());
        assertEquals(2, sampling.get("steps").asInt());
        assertEquals(0.0, sampling.get("eta").asDouble());
        assertEquals(1.0, sampling.get("guidance").asDouble());
        assertEquals(5, sampling.get("seed").asLong());
        assertEquals(10, report.get("digits").size());
        assertEquals(3, report.get("images_per_digit").asInt());
        assertEquals(30, report.get("images").asInt());
        assertShare(report.get("accuracy"));
        assertEquals(10, report.get("accuracy_per_digit").size());
        double mean = 0;
        for (int d = 0; d < 10; d++) {
            JsonNode share = report.get("accuracy_per_digit").get(Integer.toString(d));
            assertShare(share);
            assertEquals(0, share.asDouble() * 3 % 1, 1e-9, "a share of 3 images");
            mean += share.asDouble() / 10;
        }
        assertEquals(mean, report.get("accuracy").asDouble(), 1e-9);
        double distance = report.get("frechet_distance").asDouble();
        double floor = report.get("frechet_distance_floor").asDouble();
        assertTrue(
                floor >= 0 && Double.isFinite(distance) && distance > floor,
                "noise from a random model is further from MNIST than real digits: "
                        + distance
                        + " vs "
                        + floor);
        assertEquals(10_000, report.get("reference_images").asInt());
        assertEquals(30, report.get("floor_images").asInt());
        JsonNode classifier = report.get("classifier");
        assertEquals(TrainedClassifier.CACHE.toString(), classifier.get("file").asText());
        assertTrue(classifier.get("test_accuracy").asDouble() >= 0.99, classifier.toString());
        assertEquals(128, classifier.get("features").asInt());
        assertTrue(classifier.get("architecture").asText().startsWith("lenet"));
        assertEquals("cpu()", report.get("device").asText());
        assertTrue(report.get("seconds").get("sampling").asDouble() > 0);
        assertTrue(
                report.get("seconds").get("total").asDouble()
                        >= report.get("seconds").get("sampling").asDouble());
        assertTrue(report.get("created").asText().endsWith("Z"));

        BufferedImage grid = ImageIO.read(png.toFile());
        assertEquals(3 * 32, grid.getWidth(), "3 images per row");
        assertEquals(10 * 32, grid.getHeight(), "one row per digit");
    }

    @Test
    void badRequestsAreOneLineUsageErrors() throws Exception {
        assertUsageError(ddpm("eval", "--n", "0"), "--n must be at least 1");
        assertUsageError(ddpm("eval", "--digit", "12"), "--digit must be a digit 0-9");
        assertUsageError(
                ddpm("eval", "--sampler", "euler"),
                "--sampler must be one of [ddim, ddpm, dpm++2m]");
        assertUsageError(
                ddpm("eval", "--sampler", "ddpm", "--steps", "10"), "apply to --sampler ddim");
        assertUsageError(
                ddpm("eval", "--guidance", "-1"), "--guidance must be in [0, 100], got -1.0");
        assertUsageError(ddpm("eval", "--checkpoint", dir.resolve("none").toString()), "not found");
    }

    @Test
    void tooManyImagesPerDigitForTheFloorIsAUsageError() throws Exception {
        Path checkpoint = tinyCheckpoint();
        assertUsageError(
                ddpm(
                        "eval",
                        "--quiet",
                        "--device",
                        "cpu",
                        "--checkpoint",
                        checkpoint.toString(),
                        "--n",
                        "6000",
                        "--data-dir",
                        TrainingFixtures.mnistDir().toString()),
                "--n must be at most 5421");
    }

    private static void assertShare(JsonNode value) {
        assertTrue(
                value.isNumber() && value.asDouble() >= 0 && value.asDouble() <= 1,
                String.valueOf(value));
    }
}
