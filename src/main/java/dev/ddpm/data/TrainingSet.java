package dev.ddpm.data;

import dev.ddpm.common.UserException;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.config.TrainConfig;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training or test split a configuration names ({@code train.dataset} under {@code
 * train.data_dir}), as the model sees it: MNIST and Fashion-MNIST from their IDX files, or an image
 * folder converted to the model's channels and image size.
 */
public final class TrainingSet {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingSet.class);

    private TrainingSet() {}

    /** The training and the test split of a data set. */
    public record Splits(LabeledImages train, LabeledImages test) {}

    /**
     * Loads the training split, downloading missing MNIST files first; refuses a model that does
     * not fit the data before any image is decoded, and an image folder with a damaged image in
     * either split.
     */
    public static LabeledImages load(DdpmConfig config) {
        Path dir = dataSetDir(config.train());
        if (config.train().dataset() == TrainConfig.Dataset.FOLDER) {
            // The test split is decoded too, and dropped: a damaged image anywhere stops the run
            // now, not the eval after it.
            return splits(config, dir).train();
        }
        return mnist(config, dir, true);
    }

    /**
     * Both splits of the configuration's data set, read from {@code dir} (MNIST's files, or the
     * image folder; see {@link #dataSetDir}).
     */
    public static Splits splits(DdpmConfig config, Path dir) {
        if (config.train().dataset() == TrainConfig.Dataset.FOLDER) {
            ImageFolder folder = scan(config, dir);
            int channels = config.model().inChannels();
            int size = config.model().imageSize();
            return new Splits(
                    folder.load(true, channels, size), folder.load(false, channels, size));
        }
        return new Splits(mnist(config, dir, true), mnist(config, dir, false));
    }

    /**
     * Where the data set's files are: {@code <data_dir>/<dataset>} for MNIST and Fashion-MNIST,
     * {@code data_dir} itself for an image folder.
     */
    public static Path dataSetDir(TrainConfig train) {
        Path root = Path.of(train.dataDir());
        return train.dataset() == TrainConfig.Dataset.FOLDER
                ? root
                : MnistDataset.folder(root, train.dataset().configName());
    }

    private static ImageFolder scan(DdpmConfig config, Path dir) {
        ImageFolder folder = ImageFolder.scan(dir);
        requireFits(config, folder);
        LOG.info(
                "{}: {} classes {}; {}",
                dir,
                folder.classes().size(),
                abbreviated(folder),
                folder.describeSplits());
        return folder;
    }

    private static LabeledImages mnist(DdpmConfig config, Path dir, boolean train) {
        String dataset = config.train().dataset().configName();
        MnistDataset.requireFits(config.model(), dataset);
        MnistDataset.ensureFiles(dir, dataset);
        return MnistDataset.load(dir, dataset, train);
    }

    /**
     * Refuses a configuration that cannot train on {@code folder}: another number of classes than
     * it has, channels other than grayscale or RGB, a {@code train.train_limit} (which would keep
     * only the first classes).
     */
    static void requireFits(DdpmConfig config, ImageFolder folder) {
        ModelConfig model = config.model();
        int classes = folder.classes().size();
        if (model.numClasses() != classes) {
            throw new UserException(
                    "model.num_classes="
                            + model.numClasses()
                            + " does not fit "
                            + folder.root()
                            + ", which has "
                            + classes
                            + " classes "
                            + abbreviated(folder)
                            + ": use --set model.num_classes="
                            + classes);
        }
        if (model.inChannels() != 1 && model.inChannels() != 3) {
            throw new UserException(
                    "model.in_channels="
                            + model.inChannels()
                            + " does not fit an image folder, whose images are read as grayscale"
                            + " (1) or RGB (3): use --set model.in_channels=1 or 3");
        }
        if (config.train().trainLimit() != 0) {
            throw new UserException(
                    "train.train_limit applies to MNIST and Fashion-MNIST only (a folder's"
                            + " images are in class order): set it to 0 and put fewer images in "
                            + folder.root());
        }
    }

    private static String abbreviated(ImageFolder folder) {
        var names = folder.classes();
        return names.size() <= 12
                ? names.toString()
                : names.subList(0, 10) + " ... " + names.get(names.size() - 1);
    }
}
