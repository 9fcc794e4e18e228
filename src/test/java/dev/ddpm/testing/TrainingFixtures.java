package dev.ddpm.testing;

import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.data.MnistDataset;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tiny configurations and the MNIST training images they use (loaded once per test JVM and limit).
 */
public final class TrainingFixtures {

    /** By {@code train.train_limit}: a tiny configuration needs 64 images, not all 60,000. */
    private static final Map<Integer, LabeledImages> MNIST = new HashMap<>();

    private TrainingFixtures() {}

    /** The repository's own copy of the official MNIST files, which every clone has. */
    public static Path mnistDir() {
        return Path.of("data", "mnist").toAbsolutePath();
    }

    /**
     * The MNIST training images {@code config} trains on (the first {@code train.train_limit}, or
     * all), as {@code ddpm train} loads them; loaded once per test JVM and limit.
     */
    public static synchronized LabeledImages mnist(DdpmConfig config) {
        return mnist(config.train().trainLimit());
    }

    /** The whole MNIST training split, loaded once per test JVM. */
    public static LabeledImages mnist() {
        return mnist(0);
    }

    private static synchronized LabeledImages mnist(int limit) {
        return MNIST.computeIfAbsent(limit, l -> MnistDataset.load(mnistDir(), "mnist", true, l));
    }

    /** Data root holding {@code mnist/}, for configs run by the CLI. */
    public static Path dataRoot() {
        return mnistDir().getParent();
    }

    /**
     * A model of a few thousand parameters and 4 batches of 16 images per epoch, 2 epochs: seconds
     * of CPU. Logs every 2 steps and checkpoints every 3, so epoch ends and step checkpoints both
     * occur.
     */
    public static DdpmConfig tiny(Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("model.time_emb_dim", "16");
        all.put("model.depth", "1");
        all.put("model.base_channels", "8");
        all.put("model.groups", "4");
        all.put("model.attention_levels", "[]");
        all.put("train.epochs", "2");
        all.put("train.batch_size", "16");
        all.put("train.train_limit", "64");
        all.put("train.ema_warmup_steps", "4");
        all.put("train.log_every_steps", "2");
        all.put("train.checkpoint_every_steps", "3");
        all.put("train.keep_checkpoints", "2");
        all.put("train.sample_every_steps", "0");
        all.put("train.eval_images_per_class", "0");
        all.put("train.data_dir", dataRoot().toString());
        all.putAll(overrides);
        return ConfigLoader.load(null, all);
    }
}
