package dev.ddpm.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.testing.Slow;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classifier trained here and now (never the cache of an earlier build, which would only show
 * that a file equals itself), and the file it is cached in.
 */
@Slow
class ImageClassifierTest {

    @TempDir Path tmp;

    @Test
    void aNewClassifierClassifies99PercentOfTheTestSetAndReloadsWithTheSameWeights()
            throws IOException {
        Path file = tmp.resolve("mnist-lenet.safetensors");
        LabeledImages test = MnistDataset.load(TrainingFixtures.mnistDir(), false);
        try (NDManager manager = NDManager.newBaseManager();
                ImageClassifier trained =
                        ImageClassifier.loadOrTrain(
                                file,
                                TrainingFixtures.mnist(),
                                test,
                                manager,
                                TrainedClassifier.SEED)) {
            double accuracy = trained.accuracy(test);
            assertTrue(
                    accuracy >= ImageClassifier.EXPECTED_TEST_ACCURACY,
                    "test accuracy " + accuracy);
            assertEquals(
                    accuracy, trained.testAccuracy(), "the recorded accuracy is the measured one");

            try (ImageClassifier reloaded = ImageClassifier.load(file, test, manager)) {
                assertEquals(trained.weights().keySet(), reloaded.weights().keySet());
                trained.weights()
                        .forEach(
                                (name, w) ->
                                        assertArrayEquals(
                                                w.toFloatArray(),
                                                reloaded.weights().get(name).toFloatArray(),
                                                name));
                assertEquals(accuracy, reloaded.testAccuracy());
                assertEquals(accuracy, reloaded.accuracy(test));
            }
        }
        // The same seed trains the same classifier: spare the other eval tests a second training.
        if (!Files.exists(TrainedClassifier.CACHE)) {
            Files.createDirectories(TrainedClassifier.CACHE.getParent());
            Files.copy(file, TrainedClassifier.CACHE);
        }
    }
}
