package dev.ddpm.app;

import dev.ddpm.common.UserException;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.data.ImageFolder;
import dev.ddpm.data.MnistDataset;
import java.util.List;

/**
 * Whether a configuration's model fits its data set, checked before any work, because otherwise the
 * mismatch shows late or never: fewer classes silently turn the others into "no label", another
 * image size trains a model for images the data set does not have, other channel counts fail at the
 * first step. Each refusal names the configuration key and the {@code --set} that fixes it.
 */
public final class DataSetFit {

    private DataSetFit() {}

    /**
     * What can be checked without reading the data: MNIST's and Fashion-MNIST's form (10 classes,
     * 1x32x32), or for an image folder grayscale or RGB and no {@code train.train_limit}.
     *
     * @throws UserException when the model does not fit
     */
    public static void require(DdpmConfig config) {
        if (config.train().dataset() != TrainConfig.Dataset.FOLDER) {
            requireMnistFits(config.model(), config.train().dataset().configName());
            return;
        }
        ModelConfig model = config.model();
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
                            + config.train().dataDir());
        }
    }

    /**
     * Refuses a model for another number of classes than {@code folder} has.
     *
     * @throws UserException when the model does not fit
     */
    public static void require(DdpmConfig config, ImageFolder folder) {
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
    }

    /**
     * Refuses a model that does not fit {@code dataset} ({@code mnist} or {@code fashion-mnist}):
     * its classes, image size and channels must be the dataset's.
     */
    static void requireMnistFits(ModelConfig model, String dataset) {
        if (model.numClasses() != MnistDataset.NUM_CLASSES) {
            throw new UserException(
                    "model.num_classes="
                            + model.numClasses()
                            + " does not fit "
                            + dataset
                            + ", which has "
                            + MnistDataset.NUM_CLASSES
                            + " classes: use --set model.num_classes="
                            + MnistDataset.NUM_CLASSES);
        }
        if (model.imageSize() != MnistDataset.IMAGE_SIZE) {
            throw new UserException(
                    "model.image_size="
                            + model.imageSize()
                            + " does not fit "
                            + dataset
                            + ", whose images the model sees as "
                            + MnistDataset.IMAGE_SIZE
                            + "x"
                            + MnistDataset.IMAGE_SIZE
                            + ": use --set model.image_size="
                            + MnistDataset.IMAGE_SIZE);
        }
        if (model.inChannels() != 1) {
            throw new UserException(
                    "model.in_channels="
                            + model.inChannels()
                            + " does not fit "
                            + dataset
                            + ", whose images have 1 channel (grayscale): use --set"
                            + " model.in_channels=1");
        }
    }

    /** The folder's class names, the first ten and the last when there are more than 12. */
    static String abbreviated(ImageFolder folder) {
        List<String> names = folder.classes();
        return names.size() <= 12
                ? names.toString()
                : names.subList(0, 10) + " ... " + names.get(names.size() - 1);
    }
}
