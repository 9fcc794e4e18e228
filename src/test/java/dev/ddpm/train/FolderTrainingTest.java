package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.ddpm.app.TrainingSet;
import dev.ddpm.app.Workspace;
import dev.ddpm.common.UserException;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.Safetensors;
import dev.ddpm.testing.ImageFolders;
import dev.ddpm.testing.MnistFolderScript;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training on an image folder: RGB 64x64 steps, class names in the checkpoint, resume checks. */
class FolderTrainingTest {

    private static final List<String> CLASSES = List.of("circle", "square", "stripe");

    @TempDir Path tmp;

    private DdpmConfig config(Path data, int size) {
        return TrainingFixtures.tiny(
                Map.of(
                        "model.depth", "2",
                        "model.image_size", Integer.toString(size),
                        "model.in_channels", "3",
                        "model.num_classes", "3",
                        "train.dataset", "folder",
                        "train.data_dir", data.toString(),
                        "train.train_limit", "0",
                        "train.batch_size", "4",
                        "train.epochs", "1"));
    }

    @Test
    void rgb64PixelStepsTrainAndTheCheckpointNamesTheClasses() throws IOException {
        Path data = ImageFolders.colorSquares(tmp.resolve("squares"), CLASSES, 5, 48);
        DdpmConfig config = config(data, 64);
        LabeledImages images = TrainingSet.load(Workspace.current(), config);
        assertEquals(3, images.channels());
        assertEquals(64, images.imageSize());
        Path file = tmp.resolve("step.safetensors");
        try (DiffusionTrainer trainer = new DiffusionTrainer(config, images, Device.cpu())) {
            // 15 images, one held out per class: 12 train, 3 batches of 4.
            assertEquals(3, trainer.batchesPerEpoch());
            for (int i = 0; i < 3; i++) {
                trainer.step();
            }
            double loss = trainer.meanLossSinceLastRead();
            assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
            assertTrue(trainer.isFinite());
            trainer.snapshot().write(file);
        }
        assertEquals(
                "[\"circle\",\"square\",\"stripe\"]",
                Safetensors.readHeader(file).metadata().get("classes"));
        assertEquals(CLASSES, Checkpoint.readHeader(file).classes());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertEquals(CLASSES, Checkpoint.read(file, m).classes());
        }

        // The same run on a folder whose classes changed is refused.
        Files.move(data.resolve("train/stripe"), data.resolve("train/zigzag"));
        LabeledImages renamed = TrainingSet.load(Workspace.current(), config);
        try (DiffusionTrainer trainer = new DiffusionTrainer(config, renamed, Device.cpu())) {
            UserException e = assertThrows(UserException.class, () -> trainer.resume(file));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "was trained on the classes [circle, square, stripe], but the"
                                            + " data holds [circle, square, zigzag]"),
                    e.getMessage());
        }
    }

    /**
     * MNIST written as a folder by the repository's script trains to exactly the weights of MNIST
     * read from its IDX files: the same tensors in the same order, so the same recipe gives the
     * same model, and the same quality.
     */
    @Test
    void mnistAsAFolderTrainsExactlyAsMnist() throws Exception {
        Path folder = MnistFolderScript.gray(tmp.resolve("mnist-png"), 64);
        DdpmConfig onMnist = TrainingFixtures.tiny(Map.of());
        DdpmConfig onFolder =
                TrainingFixtures.tiny(
                        Map.of(
                                "train.dataset", "folder",
                                "train.data_dir", folder.toString(),
                                "train.train_limit", "0"));
        Map<String, float[]> expected;
        try (DiffusionTrainer trainer =
                new DiffusionTrainer(onMnist, TrainingFixtures.mnist(), Device.cpu())) {
            expected = trainAll(trainer);
        }
        try (DiffusionTrainer trainer =
                new DiffusionTrainer(
                        onFolder, TrainingSet.load(Workspace.current(), onFolder), Device.cpu())) {
            assertEquals(64, trainer.trainingImages());
            Map<String, float[]> actual = trainAll(trainer);
            assertEquals(expected.keySet(), actual.keySet());
            expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
        }
    }

    /** Runs every step of the configuration; the weights and their EMA afterwards. */
    private static Map<String, float[]> trainAll(DiffusionTrainer trainer) {
        while (trainer.stepsDone() < trainer.totalSteps()) {
            trainer.step();
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        trainer.model().weights().forEach((k, v) -> out.put("model." + k, v.toFloatArray()));
        trainer.samplingWeights().forEach((k, v) -> out.put("ema." + k, v.toFloatArray()));
        return out;
    }

    @Test
    void mnistCheckpointsNameNoClasses() throws IOException {
        DdpmConfig config = TrainingFixtures.tiny(Map.of());
        Path file = tmp.resolve("mnist.safetensors");
        try (DiffusionTrainer trainer =
                new DiffusionTrainer(config, TrainingFixtures.mnist(), Device.cpu())) {
            trainer.snapshot().write(file);
        }
        assertEquals(null, Safetensors.readHeader(file).metadata().get("classes"));
        assertEquals(
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                Checkpoint.readHeader(file).classes());
    }
}
