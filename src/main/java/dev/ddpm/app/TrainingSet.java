package dev.ddpm.app;

import dev.ddpm.config.DdpmConfig;
import dev.ddpm.data.MnistDataset;
import java.nio.file.Path;

/**
 * The training split a configuration names ({@code train.dataset} under {@code train.data_dir},
 * found as {@link Workspace#dataFolder} says).
 */
public final class TrainingSet {

    private TrainingSet() {}

    /**
     * Loads it, downloading missing files first; only the first {@code train.train_limit} images
     * when the configuration trains on no more.
     */
    public static MnistDataset load(Workspace workspace, DdpmConfig config) {
        return load(workspace, config, config.train().trainLimit());
    }

    /**
     * Loads all of it, whatever {@code train.train_limit} says: what an evaluation compares with
     * (its Frechet floor draws on the whole split, as {@code ddpm eval}'s does).
     */
    public static MnistDataset loadWhole(Workspace workspace, DdpmConfig config) {
        return load(workspace, config, 0);
    }

    private static MnistDataset load(Workspace workspace, DdpmConfig config, int limit) {
        String dataset = config.train().dataset().configName();
        Path dir = workspace.dataFolder(config.train().dataDir(), dataset);
        MnistDataset.ensureFiles(dir, dataset);
        return MnistDataset.load(dir, dataset, true, limit);
    }
}
