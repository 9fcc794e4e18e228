package dev.ddpm.app;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ddpm.common.UserException;
import dev.ddpm.config.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model configuration that cannot fit the dataset is refused before any work, naming the key to
 * set.
 */
class DataSetFitTest {

    private static final ModelConfig REFERENCE = ModelConfig.reference();

    @Test
    void theReferenceModelFitsBothDatasets() {
        assertDoesNotThrow(() -> DataSetFit.requireMnistFits(REFERENCE, "mnist"));
        assertDoesNotThrow(() -> DataSetFit.requireMnistFits(REFERENCE, "fashion-mnist"));
    }

    @Test
    void fewerOrMoreClassesThanTheDatasetHasAreRefused() {
        assertEquals(
                "model.num_classes=5 does not fit mnist, which has 10 classes: use --set"
                        + " model.num_classes=10",
                failure(model(5, 1, 32), "mnist"));
        assertEquals(
                "model.num_classes=11 does not fit fashion-mnist, which has 10 classes:"
                        + " use --set model.num_classes=10",
                failure(model(11, 1, 32), "fashion-mnist"));
    }

    @Test
    void anImageSizeOtherThanTheDatasetsIsRefused() {
        assertEquals(
                "model.image_size=64 does not fit mnist, whose images the model sees as 32x32:"
                        + " use --set model.image_size=32",
                failure(model(10, 1, 64), "mnist"));
    }

    @Test
    void channelsOtherThanOneAreRefused() {
        assertEquals(
                "model.in_channels=2 does not fit mnist, whose images have 1 channel (grayscale):"
                        + " use --set model.in_channels=1",
                failure(model(10, 2, 32), "mnist"));
    }

    private static ModelConfig model(int numClasses, int inChannels, int imageSize) {
        return new ModelConfig(
                REFERENCE.timeEmbDim(),
                REFERENCE.depth(),
                REFERENCE.baseChannels(),
                numClasses,
                inChannels,
                imageSize,
                List.copyOf(REFERENCE.attentionLevels()),
                REFERENCE.groups());
    }

    private static String failure(ModelConfig model, String dataset) {
        return assertThrows(UserException.class, () -> DataSetFit.requireMnistFits(model, dataset))
                .getMessage();
    }
}
