package dev.ddpm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.testing.Slow;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import org.junit.jupiter.api.Test;

@Slow
class ImageClassifierTest {

    @Test
    void classifiesTheRealMnistTestSetAtLeast99PercentRight() {
        ImageClassifier classifier = TrainedClassifier.get();
        double accuracy =
                classifier.accuracy(MnistDataset.load(TrainingFixtures.mnistDir(), false));
        assertTrue(accuracy >= ImageClassifier.EXPECTED_TEST_ACCURACY, "test accuracy " + accuracy);
    }

    @Test
    void cachedClassifierReloadsWithTheSameWeightsAndRecordedAccuracy() throws IOException {
        ImageClassifier trained = TrainedClassifier.get();
        LabeledImages test = MnistDataset.load(TrainingFixtures.mnistDir(), false);
        try (NDManager manager = NDManager.newBaseManager();
                ImageClassifier reloaded = ImageClassifier.load(trained.file(), test, manager)) {
            assertEquals(trained.testAccuracy(), reloaded.testAccuracy());
            assertEquals(trained.accuracy(test), reloaded.accuracy(test));
        }
    }
}
