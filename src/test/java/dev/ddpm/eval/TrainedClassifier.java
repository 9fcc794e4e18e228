package dev.ddpm.eval;

import ai.djl.ndarray.NDManager;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The classifier shared by the eval tests: trained once per build (cached under {@code target/},
 * which {@code mvn clean} removes) on the shared MNIST files, on the CPU, with a fixed seed.
 */
public final class TrainedClassifier {

    public static final Path CACHE =
            Path.of("target", "test-classifier", "mnist-lenet.safetensors");
    static final long SEED = 0;

    private static ImageClassifier instance;

    private TrainedClassifier() {}

    /** Trained on the repository's MNIST, or loaded from its cache, once per test JVM. */
    public static synchronized ImageClassifier get() {
        if (instance == null) {
            try {
                // Lives for the whole test JVM, like the engine.
                instance =
                        ImageClassifier.loadOrTrain(
                                CACHE,
                                TrainingFixtures.mnist(),
                                MnistDataset.load(TrainingFixtures.mnistDir(), false),
                                NDManager.newBaseManager(),
                                SEED);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }
}
