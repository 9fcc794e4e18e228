package dev.ddpm.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.data.EpochOrder;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.diffusion.NoiseModel;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.diffusion.Sampler;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.ImageGrid;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a diffusion model with the {@link MnistClassifier}: generates {@code n} images of each digit,
 * and reports how many the classifier recognises as the requested digit, and the Fréchet distance of
 * their classifier features to those of the MNIST test images of the same digits. Beside it, the same
 * distance for as many real training images (same digits, same count per digit, a fixed seeded choice)
 * is the floor: the score of a generator that reproduces MNIST, with the same sample-size bias.
 */
public final class Evaluator {

    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Batch of real images through the classifier. */
    private static final int REAL_BATCH = 500;
    /** Seed of the choice of training images for the floor: fixed, so floors of different runs agree. */
    private static final long FLOOR_SEED = 0;

    /** What is evaluated: the checkpoint file, its step (null when unknown), {@code ema} or {@code trained}. */
    public record Subject(Path checkpoint, Long step, String weights) {}

    /**
     * How images are generated.
     *
     * @param samplerName {@code ddpm} or {@code ddim}, for the report
     * @param eta DDIM's eta (null for DDPM), for the report
     * @param batchSize images per sampler call; call {@code i} is seeded with {@code seed + i}
     */
    public record Generation(NoiseModel model, NoiseSchedule schedule, Sampler sampler, String samplerName,
            Double eta, double guidance, long seed, Shape imageShape, int batchSize) {}

    /** The report and the evaluated images, {@code [N, C, H, W]} on the host, digit after digit. */
    public record Result(EvalReport report, float[] images, Shape imagesShape) {

        /** Writes the report as JSON and the images as a PNG grid (up to 100 per row), both atomically. */
        public void write(Path json, Path png) throws IOException {
            AtomicFiles.writeString(json, JSON.writeValueAsString(report) + System.lineSeparator());
            int columns = Math.min(report.imagesPerDigit(), 100);
            ImageGrid.writePng(ImageGrid.render(images, imagesShape, columns, 1), png);
        }
    }

    private final MnistClassifier classifier;
    private final MnistDataset train;
    private final MnistDataset test;

    public Evaluator(MnistClassifier classifier, MnistDataset train, MnistDataset test) {
        this.classifier = classifier;
        this.train = train;
        this.test = test;
    }

    /** Generates {@code perDigit} images of each of {@code digits} and measures them (all on the manager's device). */
    public Result evaluate(Subject subject, Generation generation, List<Integer> digits, int perDigit,
            NDManager manager) {
        long started = System.nanoTime();
        long[] labels = new long[digits.size() * perDigit];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = digits.get(i / perDigit);
        }
        Shape shape = new Shape(labels.length).addAll(generation.imageShape());
        float[] pixels = new float[Math.toIntExact(shape.size())];
        int imageSize = Math.toIntExact(generation.imageShape().size());
        FeatureStatistics generated = new FeatureStatistics(LeNet.FEATURES);
        long[] correct = new long[LeNet.CLASSES];
        double samplingSeconds = 0;
        int batch = generation.batchSize();
        for (int start = 0, call = 0; start < labels.length; start += batch, call++) {
            long[] chunk = Arrays.copyOfRange(labels, start, Math.min(start + batch, labels.length));
            try (NDManager scope = manager.newSubManager()) {
                long t0 = System.nanoTime();
                NDArray images = generation.sampler().sample(generation.model(), generation.schedule(),
                        NativeArrays.copyOf(scope, chunk), generation.guidance(), generation.seed() + call,
                        generation.imageShape(), null);
                NDArray features = classifier.features(images);
                generated.add(features);
                long[] predicted = classifier.predict(features).toLongArray();
                samplingSeconds += (System.nanoTime() - t0) / 1e9;
                for (int i = 0; i < chunk.length; i++) {
                    if (predicted[i] == chunk[i]) {
                        correct[(int) chunk[i]]++;
                    }
                }
                float[] values = images.toFloatArray();
                System.arraycopy(values, 0, pixels, start * imageSize, values.length);
            }
            LOG.info("generated and classified {}/{} images", Math.min(start + batch, labels.length), labels.length);
        }

        FeatureStatistics reference = realStatistics(test, testIndices(digits), manager);
        FeatureStatistics floorSet = realStatistics(train, floorIndices(digits, perDigit), manager);
        double distance = FrechetDistance.between(generated, reference);
        double floor = FrechetDistance.between(floorSet, reference);

        Map<String, Double> perDigitAccuracy = new LinkedHashMap<>();
        long allCorrect = 0;
        for (int digit : digits) {
            perDigitAccuracy.put(Integer.toString(digit), (double) correct[digit] / perDigit);
            allCorrect += correct[digit];
        }
        Sampler sampler = generation.sampler();
        EvalReport report = new EvalReport(
                subject.checkpoint().toString(), subject.step(), subject.weights(),
                new EvalReport.Sampling(generation.samplerName(), sampler.steps(generation.schedule()),
                        generation.eta(), generation.guidance(), generation.seed()),
                List.copyOf(digits), perDigit, labels.length,
                (double) allCorrect / labels.length, perDigitAccuracy,
                distance, floor, (int) reference.count(), (int) floorSet.count(),
                new EvalReport.Classifier(classifier.file().toString(), MnistClassifier.ARCHITECTURE,
                        classifier.testAccuracy(), LeNet.FEATURES),
                manager.getDevice().toString(),
                new EvalReport.Timing(round(samplingSeconds), round((System.nanoTime() - started) / 1e9)),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return new Result(report, pixels, shape);
    }

    private FeatureStatistics realStatistics(MnistDataset data, int[] indices, NDManager manager) {
        FeatureStatistics stats = new FeatureStatistics(LeNet.FEATURES);
        for (int start = 0; start < indices.length; start += REAL_BATCH) {
            int[] chunk = Arrays.copyOfRange(indices, start, Math.min(start + REAL_BATCH, indices.length));
            try (NDManager scope = manager.newSubManager()) {
                NDList batch = data.batch(scope, chunk);
                stats.add(classifier.features(batch.get(0)));
            }
        }
        return stats;
    }

    private int[] testIndices(List<Integer> digits) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            if (digits.contains(test.label(i))) {
                indices.add(i);
            }
        }
        return indices.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The first {@code perDigit} training images of each digit in a seeded shuffle. */
    private int[] floorIndices(List<Integer> digits, int perDigit) {
        int[] taken = new int[LeNet.CLASSES];
        List<Integer> indices = new ArrayList<>();
        for (int i : new EpochOrder(train.size(), FLOOR_SEED).permutation(0)) {
            int digit = train.label(i);
            if (digits.contains(digit) && taken[digit] < perDigit) {
                taken[digit]++;
                indices.add(i);
            }
        }
        for (int digit : digits) {
            if (taken[digit] < perDigit) {
                throw new IllegalArgumentException("MNIST has only " + taken[digit] + " training images of digit "
                        + digit + ", fewer than the " + perDigit + " per digit asked for");
            }
        }
        return indices.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The smallest number of training images of one digit: the largest {@code perDigit} with a floor. */
    public static int maxPerDigit(MnistDataset train) {
        int[] counts = new int[LeNet.CLASSES];
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)]++;
        }
        return Arrays.stream(counts).min().orElse(0);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
