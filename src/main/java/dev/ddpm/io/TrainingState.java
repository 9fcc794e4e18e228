package dev.ddpm.io;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a training run stands, saved in every checkpoint so that a resumed run continues exactly.
 *
 * @param step optimizer steps taken so far
 * @param epoch the epoch in progress (0-based)
 * @param batchInEpoch batches of {@code epoch} already consumed
 * @param seed the run's seed; every random draw of step {@code s} is derived from (seed, s)
 * @param emaUpdates number of EMA updates applied
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingState(long step, int epoch, int batchInEpoch, long seed, long emaUpdates) {

    public static TrainingState start(long seed) {
        return new TrainingState(0, 0, 0, seed, 0);
    }

    /**
     * What no run seeded with {@code runSeed} can have written, under the names the checkpoint
     * uses; empty when nothing is wrong.
     */
    List<String> problems(long runSeed) {
        List<String> problems = new ArrayList<>();
        if (step < 0) {
            problems.add("step " + step + " is negative");
        }
        if (epoch < 0) {
            problems.add("epoch " + epoch + " is negative");
        }
        if (batchInEpoch < 0) {
            problems.add("batch_in_epoch " + batchInEpoch + " is negative");
        }
        if (emaUpdates < 0) {
            problems.add("ema_updates " + emaUpdates + " is negative");
        } else if (step >= 0 && emaUpdates > step) {
            problems.add("ema_updates " + emaUpdates + " exceeds step " + step);
        }
        if (seed != runSeed) {
            problems.add("seed " + seed + " is not the configuration's train.seed " + runSeed);
        }
        return problems;
    }

    /**
     * Refuses a state that is no position of a run whose epochs have {@code batchesPerEpoch}
     * batches: the trainer counts {@code step = epoch * batchesPerEpoch + batch_in_epoch} with
     * {@code batch_in_epoch} below {@code batchesPerEpoch}, and resuming anywhere else would not
     * continue the run it came from.
     *
     * @param checkpoint the file the state was read from, for the message
     */
    public void requireWithin(Path checkpoint, int batchesPerEpoch) throws SafetensorsException {
        if (batchInEpoch >= batchesPerEpoch) {
            throw new SafetensorsException(
                    checkpoint
                            + " has training state batch_in_epoch "
                            + batchInEpoch
                            + " but an epoch of this run has "
                            + batchesPerEpoch
                            + " batches; "
                            + Checkpoint.USE_AN_EARLIER_CHECKPOINT);
        }
        long expected = (long) epoch * batchesPerEpoch + batchInEpoch;
        if (step != expected) {
            throw new SafetensorsException(
                    checkpoint
                            + " has training state step "
                            + step
                            + " but batch "
                            + batchInEpoch
                            + " of epoch "
                            + epoch
                            + " in epochs of "
                            + batchesPerEpoch
                            + " batches is step "
                            + expected
                            + "; "
                            + Checkpoint.USE_AN_EARLIER_CHECKPOINT);
        }
    }
}
