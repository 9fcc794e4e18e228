package dev.ddpm.data;

import dev.ddpm.config.DdpmConfig;
import java.nio.file.Path;

/**
 * The training split a configuration names ({@code train.dataset} under {@code train.data_dir}).
 */
public final class TrainingSet {

    private TrainingSet() {}

    /**
     * Loads it, downloading missing files first; only the first {@code train.train_limit} images
     * when the configuration trains on no more.
     */
    public static MnistDataset load(DdpmConfig config) {
        return load(config, config.train().trainLimit());
    }

    /**
     * Loads all of it, whatever {@code train.train_limit} says: what an evaluation compares with
     * (its Frechet floor draws on the whole split, as {@code ddpm eval}'s does).
     */
    public static MnistDataset loadWhole(DdpmConfig config) {
        return load(config, 0);
    }

    private static MnistDataset load(DdpmConfig config, int limit) {
        Path dir =
                MnistDataset.folder(
                        Path.of(config.train().dataDir()), config.train().dataset().configName());
        MnistDataset.ensureFiles(dir, config.train().dataset().configName());
        return MnistDataset.load(dir, config.train().dataset().configName(), true, limit);
    }
}
