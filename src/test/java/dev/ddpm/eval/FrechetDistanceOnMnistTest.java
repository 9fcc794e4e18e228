package dev.ddpm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.testing.Slow;
import dev.ddpm.testing.TrainingFixtures;
import org.junit.jupiter.api.Test;

/**
 * The Fréchet distance on real MNIST features: zero for a set with itself, growing with corruption.
 */
@Slow
class FrechetDistanceOnMnistTest {

    private static final int IMAGES = 2000;

    @Test
    void isZeroForASetWithItselfAndGrowsWithNoise() {
        ImageClassifier classifier = TrainedClassifier.get();
        LabeledImages test = MnistDataset.load(TrainingFixtures.mnistDir(), false);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = test.images(manager, 0, IMAGES);
            FeatureStatistics clean = statistics(classifier, images);
            FeatureStatistics again = statistics(classifier, images);
            double self = FrechetDistance.between(clean, again);
            assertEquals(0, self, 1e-6, "a set with itself");

            JniUtils.setSeed(7);
            NDArray noise = manager.randomNormal(images.getShape());
            double previous = self;
            for (double sigma : new double[] {0.05, 0.2, 0.5, 1.0}) {
                NDArray noisy = images.add(noise.mul(sigma)).clip(-1, 1);
                double distance = FrechetDistance.between(statistics(classifier, noisy), clean);
                assertTrue(
                        distance > previous,
                        "noise " + sigma + ": " + distance + " after " + previous);
                previous = distance;
            }
        }
    }

    private static FeatureStatistics statistics(ImageClassifier classifier, NDArray images) {
        FeatureStatistics stats = new FeatureStatistics(LeNet.FEATURES);
        for (int start = 0; start < IMAGES; start += 500) {
            stats.add(classifier.features(images.get(start + ":" + (start + 500))));
        }
        return stats;
    }
}
