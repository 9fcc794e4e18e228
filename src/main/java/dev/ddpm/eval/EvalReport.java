package dev.ddpm.eval;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * What {@code ddpm eval} measured, written as JSON next to the run. Accuracies are shares in [0,
 * 1].
 *
 * @param checkpoint the evaluated checkpoint file
 * @param step its training step (null for imported weights)
 * @param weights {@code ema} or {@code trained}
 * @param sampling how the images were generated
 * @param digits the evaluated classes (labels; for MNIST the digits)
 * @param classes their names (for MNIST the digits again)
 * @param imagesPerDigit generated images per class
 * @param images generated images in all
 * @param accuracy share of generated images the classifier assigns to the requested class
 * @param accuracyPerDigit the same per class (keys are the class names: the digits for MNIST)
 * @param frechetDistance Fréchet distance between the classifier features of the generated images
 *     and of the test images of the evaluated classes
 * @param frechetDistanceFloor the same distance for as many real training images (same digits, same
 *     count per digit) as were generated: what a perfect generator would score
 * @param referenceImages test images on the reference side of both distances
 * @param floorImages real training images behind the floor (as many as were generated)
 * @param classifier the classifier used
 * @param device the device everything ran on
 * @param seconds wall-clock time of generating and classifying the images, and of the whole
 *     evaluation
 * @param created when the evaluation ran (ISO-8601, UTC)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalReport(
        String checkpoint,
        Long step,
        String weights,
        Sampling sampling,
        List<Integer> digits,
        List<String> classes,
        int imagesPerDigit,
        int images,
        double accuracy,
        Map<String, Double> accuracyPerDigit,
        double frechetDistance,
        double frechetDistanceFloor,
        int referenceImages,
        int floorImages,
        Classifier classifier,
        String device,
        Timing seconds,
        String created) {

    /**
     * The sampler settings; {@code steps} are the reverse steps taken, {@code eta} is null but for
     * DDIM, {@code spacing} null for DDPM.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Sampling(
            String sampler, int steps, Double eta, String spacing, double guidance, long seed) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Classifier(String file, String architecture, double testAccuracy, int features) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Timing(double sampling, double total) {}
}
