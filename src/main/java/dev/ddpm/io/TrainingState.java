package dev.ddpm.io;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

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
}
