package dev.ddpm.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.ddpm.eval.EvalReport;
import java.util.Comparator;
import java.util.Map;

/**
 * One in-training evaluation as {@code metrics.jsonl} holds it, under the key {@code eval} of the
 * line of its step. Accuracies are shares in [0, 1]; {@code ddpm eval} with the same settings on
 * the checkpoint of that step measures the same numbers.
 *
 * @param imagesPerClass images generated per class
 * @param sampler the sampler's name, as {@code --sampler} takes it
 * @param steps the sampler's steps
 * @param spacing the timesteps they visit, as {@code --spacing} takes it (null in lines written
 *     before it was recorded)
 * @param eta DDIM's noise, or null where it is 0 or the sampler has none
 * @param guidance classifier-free guidance
 * @param seed the seed of the noise
 * @param maxBatch images per batch through the model (the split decides the random draws)
 * @param weights {@code ema} or {@code trained}
 * @param images images generated in all
 * @param correct images classified as the class they were generated as
 * @param accuracy {@code correct / images}
 * @param accuracyPerClass the same per class (keys are the classes)
 * @param worstClass the class with the lowest accuracy (the first of equals)
 * @param frechetDistance as {@code ddpm eval} reports it
 * @param frechetDistanceFloor the same distance for as many real training images
 * @param frechetRatio {@code frechetDistance / frechetDistanceFloor}
 * @param seconds wall-clock time of the evaluation
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Quality(
        int imagesPerClass,
        String sampler,
        int steps,
        @JsonInclude(JsonInclude.Include.NON_NULL) String spacing,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double eta,
        double guidance,
        long seed,
        int maxBatch,
        String weights,
        int images,
        int correct,
        double accuracy,
        Map<String, Double> accuracyPerClass,
        String worstClass,
        double frechetDistance,
        double frechetDistanceFloor,
        double frechetRatio,
        double seconds) {

    /** The numbers of an evaluation report, and the time the whole measurement took. */
    static Quality of(EvalReport r, int maxBatch, double seconds) {
        String worst =
                r.accuracyPerDigit().entrySet().stream()
                        .min(Comparator.comparingDouble(Map.Entry::getValue))
                        .map(Map.Entry::getKey)
                        .orElseThrow();
        return new Quality(
                r.imagesPerDigit(),
                r.sampling().sampler(),
                r.sampling().steps(),
                r.sampling().spacing(),
                r.sampling().eta() == null || r.sampling().eta() == 0 ? null : r.sampling().eta(),
                r.sampling().guidance(),
                r.sampling().seed(),
                maxBatch,
                r.weights(),
                r.images(),
                (int) Math.round(r.accuracy() * r.images()),
                r.accuracy(),
                r.accuracyPerDigit(),
                worst,
                r.frechetDistance(),
                r.frechetDistanceFloor(),
                r.frechetDistance() / r.frechetDistanceFloor(),
                Math.round(seconds * 1000) / 1000.0);
    }

    /**
     * How the images were made: {@code 200 images (20 per class), ddim 10 steps, linspace spacing,
     * guidance 0.75, seed 0, ema weights}.
     */
    public String settings() {
        return Numbers.count(images)
                + " images ("
                + imagesPerClass
                + " per class), "
                + sampler
                + ' '
                + steps
                + " steps, "
                + (spacing == null ? "" : spacing + " spacing, ")
                + (eta == null ? "" : "eta " + Numbers.plain(eta) + ", ")
                + "guidance "
                + Numbers.plain(guidance)
                + ", seed "
                + seed
                + ", "
                + weights
                + " weights";
    }

    public double worstClassAccuracy() {
        return accuracyPerClass.get(worstClass);
    }

    /**
     * The {@code ddpm eval} options that measure the same numbers on a checkpoint of the run (the
     * digits, the images per digit, the sampler and its settings, the weights).
     */
    public String evalOptions() {
        return "--n "
                + imagesPerClass
                + " --sampler "
                + sampler
                + " --steps "
                + steps
                + (spacing == null ? "" : " --spacing " + spacing)
                + (eta == null ? "" : " --eta " + Numbers.plain(eta))
                + " --guidance "
                + Numbers.plain(guidance)
                + " --seed "
                + seed
                + " --max-batch "
                + maxBatch
                + ("ema".equals(weights) ? "" : " --no-ema");
    }
}
