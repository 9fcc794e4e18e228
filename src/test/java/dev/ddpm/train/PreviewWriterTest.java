package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.testing.TrainingFixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample grids a training run writes, as a user opens them. */
class PreviewWriterTest {

    @TempDir Path tmp;

    @Test
    void aRunWritesDecodableGridsOfEveryDigitAtItsIntervalAndAtTheEnd() throws IOException {
        // 4 steps (one epoch of 4 batches): previews at step 3 and at the end, with 2 DDIM steps.
        DdpmConfig config =
                TrainingFixtures.tiny(
                        Map.of(
                                "train.epochs", "1",
                                "train.sample_every_steps", "3",
                                "train.sample_steps", "2"));
        RunDirectory run = new RunDirectory(tmp.resolve("run"));
        try (DiffusionTrainer t =
                new DiffusionTrainer(config, TrainingFixtures.mnist(config), Device.cpu())) {
            assertEquals(TrainingLoop.Outcome.COMPLETED, TrainingLoop.forRun(t, run).run());
        }
        try (Stream<Path> files = java.nio.file.Files.list(run.samples())) {
            assertEquals(
                    List.of("step-00000003.png", "step-00000004.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        int[] third = pixels(run.samples().resolve("step-00000003.png"));
        int[] last = pixels(run.samples().resolve("step-00000004.png"));
        assertFalse(
                Arrays.equals(third, last), "a step later the weights, and so the grid, differ");
    }

    /**
     * The grid's gray values, after checking that it is a PNG of 10 digits by 2 rows of 32x32
     * images, each pixel drawn as 2x2, and not of one flat color.
     */
    private static int[] pixels(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png + " is not an image that ImageIO decodes");
        assertEquals(10 * 32 * 2, image.getWidth(), "width of " + png);
        assertEquals(2 * 32 * 2, image.getHeight(), "height of " + png);
        assertEquals(1, image.getRaster().getNumBands(), "grayscale");
        int[] gray =
                image.getRaster()
                        .getPixels(0, 0, image.getWidth(), image.getHeight(), (int[]) null);
        assertTrue(Arrays.stream(gray).distinct().count() > 10, png + " has hardly any detail");
        return gray;
    }
}
