package dev.ddpm.cli;

import static dev.ddpm.cli.DdpmCommandTest.assertUsageError;
import static dev.ddpm.cli.DdpmCommandTest.ddpm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.ddpm.cli.DdpmCommandTest.Run;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.TrainingState;
import dev.ddpm.model.UNet;
import dev.ddpm.testing.ImageFolders;
import dev.ddpm.testing.TrainingFixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on an image folder's model: a malformed folder stops {@code train} before it writes
 * anything, classes are chosen by name, and a checkpoint is not judged against another folder.
 */
class FolderCommandsTest {

    private static final List<String> CLASSES = List.of("circle", "square", "stripe");

    @TempDir Path tmp;

    private DdpmConfig config(Path data) {
        return TrainingFixtures.tiny(
                Map.of(
                        "model.depth", "2",
                        "model.in_channels", "3",
                        "model.num_classes", "3",
                        "train.dataset", "folder",
                        "train.data_dir", data.toString(),
                        "train.train_limit", "0"));
    }

    @Test
    void aBrokenImageStopsTrainingBeforeAnythingIsWritten() throws Exception {
        Path data = ImageFolders.colorSquares(tmp.resolve("squares"), CLASSES, 3, 32);
        Path broken = data.resolve("train/square/1.png");
        byte[] bytes = Files.readAllBytes(broken);
        Files.write(broken, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path config =
                Files.writeString(tmp.resolve("folder.json"), ConfigLoader.toJson(config(data)));
        Path work = Files.createDirectories(tmp.resolve("work"));
        try (TrainingProcess p =
                new TrainingProcess(
                        work, "--config", config.toString(), "--run", "r", "--device", "cpu")) {
            assertEquals(2, p.exitValue(120), p.output());
            List<String> lines = p.output().lines().filter(l -> l.contains("ddpm train:")).toList();
            assertEquals(1, lines.size(), p.output());
            assertEquals(
                    true,
                    lines.get(0).contains(broken + " cannot be decoded, it is truncated"),
                    p.output());
        }
        assertFalse(Files.exists(work.resolve("checkpoints")), "nothing written");
    }

    /** {@code ddpm COMMAND --quiet --device cpu --checkpoint CHECKPOINT ARGS}. */
    private static Run on(Path checkpoint, String command, String... args) throws Exception {
        List<String> all =
                new java.util.ArrayList<>(
                        List.of(
                                command,
                                "--quiet",
                                "--device",
                                "cpu",
                                "--checkpoint",
                                checkpoint.toString()));
        all.addAll(List.of(args));
        return ddpm(all.toArray(String[]::new));
    }

    @Test
    void classesAreChosenByNameOrIndexAndCheckedAgainstTheFolder() throws Exception {
        Path data = ImageFolders.colorSquares(tmp.resolve("squares"), CLASSES, 3, 32);
        DdpmConfig config = config(data);
        Path checkpoint = tmp.resolve("run/step-00000001.safetensors");
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            new Checkpoint(
                            config,
                            UNet.create(config.model(), m).weights(),
                            Map.of(),
                            Map.of(),
                            TrainingState.start(0),
                            CLASSES)
                    .write(checkpoint);
        }
        Path png = tmp.resolve("square.png");
        Run one =
                on(
                        checkpoint,
                        "sample",
                        "--class",
                        "square",
                        "--n",
                        "2",
                        "--steps",
                        "2",
                        "--out",
                        png.toString());
        assertEquals(0, one.exit(), one.toString());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(2 * 32 * 2, image.getWidth());
        assertEquals(3, image.getColorModel().getNumColorComponents());
        Run all =
                on(
                        checkpoint,
                        "sample",
                        "--all-classes",
                        "--n",
                        "1",
                        "--steps",
                        "2",
                        "--out",
                        tmp.resolve("all.png").toString());
        assertEquals(0, all.exit(), all.toString());
        assertEquals(3 * 32 * 2, ImageIO.read(tmp.resolve("all.png").toFile()).getHeight());
        assertUsageError(
                on(
                        checkpoint,
                        "sample",
                        "--class",
                        "triangle",
                        "--out",
                        tmp.resolve("x.png").toString()),
                "--class 'triangle' is not a class of this model: give a name or an index 0-2"
                        + " (circle, square, stripe)");

        Path gifs = tmp.resolve("gifs");
        Run gif =
                on(
                        checkpoint,
                        "gif",
                        "--all-classes",
                        "--steps",
                        "2",
                        "--frames",
                        "2",
                        "--out",
                        gifs.toString());
        assertEquals(0, gif.exit(), gif.toString());
        for (String name : List.of("class-circle", "class-square", "class-stripe", "all-classes")) {
            BufferedImage frame = ImageIO.read(gifs.resolve(name + ".gif").toFile());
            assertEquals(3, frame.getColorModel().getNumColorComponents(), name);
        }

        Path other =
                ImageFolders.colorSquares(
                        tmp.resolve("other"), List.of("circle", "square", "zigzag"), 3, 32);
        Path out = tmp.resolve("eval");
        assertUsageError(
                on(checkpoint, "eval", "--data-dir", other.toString(), "--out", out.toString()),
                "was trained on the classes [circle, square, stripe], but "
                        + other
                        + " holds [circle, square, zigzag]");
        assertFalse(Files.exists(out), "nothing written");
    }
}
