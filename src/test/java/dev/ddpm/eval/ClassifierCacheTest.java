package dev.ddpm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data set's classifier is cached under its content key: other data get another file, and a
 * cached classifier of other data is never used.
 */
class ClassifierCacheTest {

    @TempDir Path tmp;

    /** {@code n} images per class of 16x16x3: class c is bright in channel c. */
    private static LabeledImages images(int n, long seed) {
        int size = 16;
        int bytes = 3 * size * size;
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[3 * n * bytes];
        int[] labels = new int[3 * n];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < bytes; p++) {
                boolean own = p / (size * size) == labels[i];
                pixels[i * bytes + p] =
                        (byte) (own ? 150 + random.nextInt(100) : random.nextInt(60));
            }
        }
        return new LabeledImages(pixels, labels, List.of("r", "g", "b"), 3, size);
    }

    @Test
    void otherDataGetAnotherFileAndAStaleCacheIsRetrainedInPlace() throws IOException {
        LabeledImages train = images(20, 1);
        LabeledImages test = images(5, 2);
        assertEquals(
                ImageClassifier.fileName("colors", train),
                ImageClassifier.fileName("colors", images(20, 1)));
        assertNotEquals(
                ImageClassifier.fileName("colors", train),
                ImageClassifier.fileName("colors", images(20, 3)));
        assertEquals(ImageClassifier.MNIST_FILE, ImageClassifier.fileName("mnist", train));

        // A classifier of other data in the file: retrained there, never used.
        Path file = tmp.resolve("colors-lenet.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Safetensors.write(
                    file,
                    Map.of("stale", m.zeros(new Shape(1))),
                    Map.of(
                            "format", ImageClassifier.FORMAT,
                            "architecture", ImageClassifier.ARCHITECTURE,
                            "data", images(20, 3).contentKey()));
            try (ImageClassifier trained = ImageClassifier.loadOrTrain(file, train, test, m, 0)) {
                assertTrue(trained.testAccuracy() > 0.9, "accuracy " + trained.testAccuracy());
            }
            Map<String, String> meta = Safetensors.readHeader(file).metadata();
            assertEquals(train.contentKey(), meta.get("data"));
            FileTime written = Files.getLastModifiedTime(file);
            try (ImageClassifier cached = ImageClassifier.loadOrTrain(file, train, test, m, 0)) {
                assertEquals(Double.parseDouble(meta.get("test_accuracy")), cached.testAccuracy());
                assertEquals(cached.testAccuracy(), cached.accuracy(test));
            }
            assertEquals(written, Files.getLastModifiedTime(file), "loaded, not trained again");
        }
    }
}
