package dev.ddpm.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.common.UserException;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.ClassNames;
import dev.ddpm.io.Safetensors;
import dev.ddpm.io.SafetensorsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classifier that {@code ddpm eval} judges generated images with: a {@link LeNet} for the data
 * set's channels, image size and classes, trained by the toolkit itself on the data set's training
 * split the first time it is needed, then cached as one safetensors file (metadata: format,
 * architecture version, test accuracy, seed, epochs, and the {@link LabeledImages#contentKey} of
 * the data it was trained on, so a cached classifier is never used for other data). Inference only;
 * all arrays live on the device of the manager it was created with.
 */
public final class ImageClassifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImageClassifier.class);

    /** MNIST's classifier's file name (it was the only one before there was one per data set). */
    public static final String MNIST_FILE = "mnist-lenet.safetensors";

    /** Seed of the classifier the CLI trains. */
    public static final long DEFAULT_SEED = 0;

    /** The accuracy on the MNIST test set a freshly trained classifier is expected to reach. */
    public static final double EXPECTED_TEST_ACCURACY = 0.99;

    static final String FORMAT = "ddpm-mnist-classifier";
    static final String ARCHITECTURE = "lenet-v" + LeNet.VERSION;

    /** Metadata key of the content key of the training data. */
    private static final String DATA = "data";

    private final LeNet net;
    private final NDManager manager;
    private final ParameterStore parameters;
    private final Path file;
    private final double testAccuracy;

    private ImageClassifier(LeNet net, NDManager manager, Path file, double testAccuracy) {
        this.net = net;
        this.manager = manager;
        this.parameters = new ParameterStore(manager, false);
        this.file = file;
        this.testAccuracy = testAccuracy;
    }

    /**
     * The name of the file a data set's classifier is cached in: {@link #MNIST_FILE} for MNIST,
     * else one named by the data set and the start of its content key, e.g. {@code
     * color-mnist-3f9a02c417be-lenet.safetensors}, so that other data (other images, classes,
     * channels or size) get another file.
     */
    public static String fileName(String name, LabeledImages train) {
        return name.equals("mnist")
                ? MNIST_FILE
                : name + "-" + train.contentKey().substring(0, 12) + "-lenet.safetensors";
    }

    /**
     * The classifier cached in {@code file}, or, when there is none (or one of an older version, or
     * one trained on other data), a new one trained on {@code train} with {@code seed}, measured on
     * {@code test} and then cached there. Any other file is left alone and refused: it is never
     * overwritten.
     *
     * @param manager where the weights live (its device is used for training and inference)
     */
    public static ImageClassifier loadOrTrain(
            Path file, LabeledImages train, LabeledImages test, NDManager manager, long seed)
            throws IOException {
        requireUsable(file);
        String key = train.contentKey();
        if (Files.exists(file)) {
            Map<String, String> meta;
            try {
                meta = Safetensors.readHeader(file).metadata();
            } catch (SafetensorsException e) {
                throw new UserException(
                        file
                                + " is not a ddpm classifier ("
                                + e.getMessage()
                                + "); it is left as it"
                                + " is: give another --classifier file, or move it away");
            }
            if (!FORMAT.equals(meta.get("format"))) {
                throw new UserException(
                        file
                                + " is not a ddpm classifier (format '"
                                + meta.get("format")
                                + "'); it is left as it is: give another --classifier file, or move"
                                + " it away");
            }
            // Classifiers cached before the key was recorded are MNIST's, in MNIST's file.
            boolean sameData =
                    meta.containsKey(DATA)
                            ? key.equals(meta.get(DATA))
                            : file.getFileName().toString().equals(MNIST_FILE) && isMnist(train);
            if (ARCHITECTURE.equals(meta.get("architecture")) && sameData) {
                return load(file, train, manager);
            }
            LOG.warn(
                    "{} holds classifier {} of data {}, this ddpm needs {} of data {}: training a"
                            + " new one in its place",
                    file,
                    meta.get("architecture"),
                    meta.getOrDefault(DATA, "(MNIST)"),
                    ARCHITECTURE,
                    key);
        }
        int epochs = ClassifierTraining.epochs(train.size());
        LOG.info(
                "training the classifier for eval ({} epochs of {} images on {}; once, then cached"
                        + " in {})",
                epochs,
                train.size(),
                manager.getDevice(),
                file);
        NDManager owned = manager.newSubManager();
        LeNet net = ClassifierTraining.train(train, owned, seed);
        ImageClassifier trained = new ImageClassifier(net, owned, file, Double.NaN);
        double accuracy = trained.accuracy(test);
        LOG.info(
                "classifier test accuracy {}% ({} test images)",
                String.format("%.2f", 100 * accuracy), test.size());
        if (isMnist(train) && accuracy < EXPECTED_TEST_ACCURACY) {
            LOG.warn(
                    "the classifier reaches only {}% on the MNIST test set (expected >= {}%)",
                    String.format("%.2f", 100 * accuracy), 100 * EXPECTED_TEST_ACCURACY);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("architecture", ARCHITECTURE);
        meta.put("test_accuracy", Double.toString(accuracy));
        meta.put("seed", Long.toString(seed));
        meta.put("epochs", Integer.toString(epochs));
        meta.put(DATA, key);
        Safetensors.write(file, trained.weights(), meta);
        LOG.info("classifier cached in {}", file);
        return new ImageClassifier(net, owned, file, accuracy);
    }

    /**
     * Refuses, before any work, a classifier path {@link #loadOrTrain} can neither read nor write
     * to: a folder, device or pipe (reading a pipe would wait forever), or a missing file whose
     * folder cannot be made.
     */
    public static void requireUsable(Path file) {
        if (!Files.exists(file)) {
            AtomicFiles.requireWritable(file);
        } else if (!Files.isRegularFile(file)) {
            throw new UserException(
                    file
                            + " is not a regular file (a folder, device or pipe), so it is no"
                            + " classifier: give another --classifier file");
        }
    }

    /**
     * Reads a classifier written by {@link #loadOrTrain} for images and classes like those of
     * {@code data}.
     */
    public static ImageClassifier load(Path file, LabeledImages data, NDManager manager)
            throws IOException {
        NDManager owned = manager.newSubManager();
        Safetensors.Contents contents = Safetensors.read(file, owned);
        LeNet net = new LeNet(data.channels(), data.imageSize(), data.classes().size());
        net.initialize(owned, DataType.FLOAT32, net.inputShape());
        for (Map.Entry<String, Parameter> p : net.getParameters().toMap().entrySet()) {
            NDArray stored = contents.tensors().get(p.getKey());
            NDArray live = p.getValue().getArray();
            if (stored == null || !stored.getShape().equals(live.getShape())) {
                owned.close();
                throw new IOException(
                        file
                                + " lacks tensor '"
                                + p.getKey()
                                + "' of shape "
                                + live.getShape()
                                + ": delete it and the classifier is trained again");
            }
            NativeArrays.copyInto(stored, live);
        }
        contents.tensors().values().forEach(NDArray::close);
        double accuracy =
                Double.parseDouble(contents.metadata().getOrDefault("test_accuracy", "NaN"));
        return new ImageClassifier(net, owned, file, accuracy);
    }

    /** Whether {@code data} has MNIST's form (one channel, 32x32, the ten digits). */
    private static boolean isMnist(LabeledImages data) {
        return data.channels() == 1
                && data.imageSize() == MnistDataset.IMAGE_SIZE
                && data.classes().equals(ClassNames.numbered(MnistDataset.NUM_CLASSES));
    }

    /** Penultimate-layer features {@code [B, 128]} of images {@code [B, C, S, S]} in [-1, 1]. */
    public NDArray features(NDArray images) {
        return net.features(parameters, new NDList(images), false).singletonOrThrow();
    }

    /** The predicted class {@code [B]} (int64) for features computed by {@link #features}. */
    public NDArray predict(NDArray features) {
        return net.logits(parameters, new NDList(features), false).singletonOrThrow().argMax(1);
    }

    /** The share of {@code data} classified correctly. */
    public double accuracy(LabeledImages data) {
        int batch = 500;
        long correct = 0;
        for (int start = 0; start < data.size(); start += batch) {
            int[] indices = range(start, Math.min(start + batch, data.size()));
            try (NDManager step = manager.newSubManager()) {
                NDList b = data.batch(step, indices);
                NDArray predicted = predict(features(b.get(0)));
                correct += predicted.eq(b.get(1)).sum().getLong();
            }
        }
        return (double) correct / data.size();
    }

    /** The accuracy on the test split recorded when the classifier was trained. */
    public double testAccuracy() {
        return testAccuracy;
    }

    public Path file() {
        return file;
    }

    NDManager manager() {
        return manager;
    }

    Map<String, NDArray> weights() {
        Map<String, NDArray> weights = new LinkedHashMap<>();
        net.getParameters().forEach(p -> weights.put(p.getKey(), p.getValue().getArray()));
        return weights;
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    @Override
    public void close() {
        manager.close();
    }
}
