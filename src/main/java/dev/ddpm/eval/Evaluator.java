package dev.ddpm.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.data.EpochOrder;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.ImageGrid;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures a diffusion model with the {@link ImageClassifier}: generates {@code n} images of each
 * class, and reports how many the classifier recognises as the requested class, and the Fréchet
 * distance of their classifier features to those of the held-out test images of the same classes.
 * Beside it, the same distance for as many real training images (same classes, same count per
 * class, a fixed seeded choice) is the floor: the score of a generator that reproduces the data
 * set, with the same sample-size bias.
 */
public final class Evaluator {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Seed of the choice of training images for the floor: fixed, so floors of different runs
     * agree.
     */
    private static final long FLOOR_SEED = 0;

    /** Images of classifier input sent through it at once. */
    private static final int CLASSIFY_BATCH = 500;

    /**
     * The report and the evaluated images, {@code [N, C, H, W]} on the host, digit after digit,
     * with the digit the classifier saw in each.
     */
    public record Result(EvalReport report, float[] images, Shape imagesShape, int[] predicted) {

        /** Whether image {@code i} was classified as another digit than it was generated as. */
        public boolean misclassified(int i) {
            return predicted[i] != report.digits().get(i / report.imagesPerDigit());
        }

        /**
         * Writes the report as JSON and the images as a PNG grid (up to 100 per row), both
         * atomically.
         */
        public void write(Path json, Path png) throws IOException {
            AtomicFiles.writeString(json, JSON.writeValueAsString(report) + System.lineSeparator());
            int columns = Math.min(report.imagesPerDigit(), 100);
            ImageGrid.writePng(ImageGrid.render(images, imagesShape, columns, 1), png);
        }
    }

    /** The real side of the distances for one choice of digits and images per digit. */
    private record RealSide(
            FeatureStatistics reference, FeatureStatistics floorSet, double floor) {}

    private final ImageClassifier classifier;
    private final LabeledImages train;
    private final LabeledImages test;

    /** Which real images a measurement compares with. */
    private record Choice(List<Integer> digits, int perDigit) {}

    /** Computed once per choice: an evaluator that measures a run again and again reuses them. */
    private final Map<Choice, RealSide> realSides = new HashMap<>();

    public Evaluator(ImageClassifier classifier, LabeledImages train, LabeledImages test) {
        this.classifier = classifier;
        this.train = train;
        this.test = test;
    }

    /**
     * Generates {@code perDigit} images of each of {@code digits} with {@code generator} and
     * measures them (all on the manager's device).
     *
     * @param checkpoint the file the generator was loaded from, for the report
     */
    public Result evaluate(
            Generator generator,
            Path checkpoint,
            SamplingSettings settings,
            List<Integer> digits,
            int perDigit,
            NDManager manager) {
        long started = System.nanoTime();
        long[] labels = new long[digits.size() * perDigit];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = digits.get(i / perDigit);
        }
        Generator.Images images = generator.generate(labels, settings, null);
        FeatureStatistics generated = new FeatureStatistics(LeNet.FEATURES);
        long[] correct = new long[train.classes().size()];
        int[] predictedAll = new int[labels.length];
        int imageSize = Math.toIntExact(generator.imageShape().size());
        for (int from = 0; from < labels.length; from += CLASSIFY_BATCH) {
            int to = Math.min(labels.length, from + CLASSIFY_BATCH);
            try (NDManager scope = manager.newSubManager()) {
                NDArray batch =
                        NativeArrays.copyOf(
                                scope,
                                Arrays.copyOfRange(
                                        images.pixels(), from * imageSize, to * imageSize),
                                new Shape(to - from).addAll(generator.imageShape()));
                NDArray features = classifier.features(batch);
                generated.add(features);
                long[] predicted = classifier.predict(features).toLongArray();
                for (int i = from; i < to; i++) {
                    predictedAll[i] = (int) predicted[i - from];
                    if (predicted[i - from] == labels[i]) {
                        correct[(int) labels[i]]++;
                    }
                }
            }
        }

        RealSide real = realSide(digits, perDigit, manager);
        FeatureStatistics reference = real.reference();
        FeatureStatistics floorSet = real.floorSet();
        double distance = FrechetDistance.between(generated, reference);
        double floor = real.floor();

        Map<String, Double> perDigitAccuracy = new LinkedHashMap<>();
        long allCorrect = 0;
        for (int digit : digits) {
            perDigitAccuracy.put(train.classes().get(digit), (double) correct[digit] / perDigit);
            allCorrect += correct[digit];
        }
        EvalReport report =
                new EvalReport(
                        checkpoint.toString(),
                        generator.step(),
                        generator.weights().configName(),
                        new EvalReport.Sampling(
                                settings.sampler().configName(),
                                images.steps(),
                                settings.effectiveEta(),
                                settings.effectiveSpacing() == null
                                        ? null
                                        : settings.effectiveSpacing().configName(),
                                settings.guidance(),
                                settings.seed()),
                        List.copyOf(digits),
                        digits.stream().map(train.classes()::get).toList(),
                        perDigit,
                        labels.length,
                        (double) allCorrect / labels.length,
                        perDigitAccuracy,
                        distance,
                        floor,
                        (int) reference.count(),
                        (int) floorSet.count(),
                        new EvalReport.Classifier(
                                classifier.file().toString(),
                                ImageClassifier.ARCHITECTURE,
                                classifier.testAccuracy(),
                                LeNet.FEATURES),
                        manager.getDevice().toString(),
                        new EvalReport.Timing(
                                round(images.seconds()),
                                round((System.nanoTime() - started) / 1e9)),
                        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return new Result(report, images.pixels(), images.shape(), predictedAll);
    }

    /**
     * Computes now what {@link #evaluate} compares {@code perDigit} images of each of {@code
     * digits} with (the test images' features, the floor), so that later evaluations only generate
     * and classify.
     */
    public void prepare(List<Integer> digits, int perDigit, NDManager manager) {
        realSide(digits, perDigit, manager);
    }

    private RealSide realSide(List<Integer> digits, int perDigit, NDManager manager) {
        Choice key = new Choice(List.copyOf(digits), perDigit);
        RealSide cached = realSides.get(key);
        if (cached == null) {
            FeatureStatistics reference = realStatistics(test, testIndices(digits), manager);
            FeatureStatistics floorSet =
                    realStatistics(train, floorIndices(digits, perDigit), manager);
            cached =
                    new RealSide(reference, floorSet, FrechetDistance.between(floorSet, reference));
            realSides.put(key, cached);
        }
        return cached;
    }

    private FeatureStatistics realStatistics(LabeledImages data, int[] indices, NDManager manager) {
        FeatureStatistics stats = new FeatureStatistics(LeNet.FEATURES);
        for (int start = 0; start < indices.length; start += CLASSIFY_BATCH) {
            int[] chunk =
                    Arrays.copyOfRange(
                            indices, start, Math.min(start + CLASSIFY_BATCH, indices.length));
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

    /** The first {@code perDigit} training images of each class in a seeded shuffle. */
    private int[] floorIndices(List<Integer> digits, int perDigit) {
        int[] taken = new int[train.classes().size()];
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
                throw new IllegalArgumentException(
                        "the training split has only "
                                + taken[digit]
                                + " images of class "
                                + train.classes().get(digit)
                                + ", fewer than the "
                                + perDigit
                                + " per class asked for");
            }
        }
        return indices.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The smallest number of training images of one class: the largest {@code perDigit} with a
     * floor.
     */
    public static int maxPerDigit(LabeledImages train) {
        return Arrays.stream(train.classCounts()).min().orElse(0);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
