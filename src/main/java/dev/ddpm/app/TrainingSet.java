package dev.ddpm.app;

import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.data.ImageFolder;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.data.MnistFiles;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data set a configuration names ({@code train.dataset} under {@code train.data_dir}, found as
 * {@link #folder} says), as the model sees it: MNIST and Fashion-MNIST from their IDX files, or an
 * image folder converted to the model's channels and image size.
 */
public final class TrainingSet {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingSet.class);

    /** The training and the test split of a data set. */
    public record Splits(LabeledImages train, LabeledImages test) {}

    private TrainingSet() {}

    /**
     * Loads the training split, downloading missing MNIST files first; only the first {@code
     * train.train_limit} MNIST images when the configuration trains on no more. Refuses a model
     * that does not fit the data before any image is decoded, and an image folder with a damaged
     * image in either split.
     */
    public static LabeledImages load(Workspace workspace, DdpmConfig config) {
        return load(workspace, config, config.train().trainLimit());
    }

    /**
     * Loads all of the training split, whatever {@code train.train_limit} says: what an evaluation
     * compares with (its Frechet floor draws on the whole split, as {@code ddpm eval}'s does).
     */
    public static LabeledImages loadWhole(Workspace workspace, DdpmConfig config) {
        return load(workspace, config, 0);
    }

    /**
     * Both whole splits of the configuration's data set, read from {@code dir} (MNIST's files, or
     * the image folder; see {@link #folder}).
     */
    public static Splits splits(DdpmConfig config, Path dir) {
        if (isFolder(config)) {
            ImageFolder folder = scan(config, dir);
            int channels = config.model().inChannels();
            int size = config.model().imageSize();
            return new Splits(
                    folder.load(true, channels, size), folder.load(false, channels, size));
        }
        return new Splits(mnist(config, dir, true, 0), mnist(config, dir, false, 0));
    }

    /**
     * Where the data set's files are: {@code <data_dir>/<dataset>} for MNIST and Fashion-MNIST (see
     * {@link Workspace#dataFolder}), {@code data_dir} itself for an image folder, under the
     * workspace's root when relative.
     */
    public static Path folder(Workspace workspace, TrainConfig train) {
        return train.dataset() == TrainConfig.Dataset.FOLDER
                ? workspace.root().resolve(train.dataDir())
                : workspace.dataFolder(train.dataDir(), train.dataset().configName());
    }

    private static LabeledImages load(Workspace workspace, DdpmConfig config, int limit) {
        Path dir = folder(workspace, config.train());
        if (isFolder(config)) {
            // The test split is decoded too, and dropped: a damaged image anywhere stops the run
            // now, not the eval after it.
            return splits(config, dir).train();
        }
        return mnist(config, dir, true, limit);
    }

    private static boolean isFolder(DdpmConfig config) {
        return config.train().dataset() == TrainConfig.Dataset.FOLDER;
    }

    private static ImageFolder scan(DdpmConfig config, Path dir) {
        DataSetFit.require(config);
        ImageFolder folder = ImageFolder.scan(dir);
        DataSetFit.require(config, folder);
        LOG.info(
                "{}: {} classes {}; {}",
                dir,
                folder.classes().size(),
                DataSetFit.abbreviated(folder),
                folder.describeSplits());
        return folder;
    }

    private static LabeledImages mnist(DdpmConfig config, Path dir, boolean train, int limit) {
        String dataset = config.train().dataset().configName();
        DataSetFit.require(config);
        MnistFiles.ensureFiles(dir, dataset);
        return MnistDataset.load(dir, dataset, train, limit);
    }
}
