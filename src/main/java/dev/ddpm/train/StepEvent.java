package dev.ddpm.train;

import java.util.OptionalDouble;

/**
 * What the loop tells its listeners after a step.
 *
 * @param step steps taken so far (this one included)
 * @param epoch the epoch this step belonged to (0-based)
 * @param epochEnd whether this step ended its epoch
 * @param meanLoss at log steps, the mean loss since the previous log step (read from the device
 *     once, by the loop); empty otherwise
 * @param images images trained on since the previous log step (at log steps)
 * @param seconds time spent in steps since the previous log step, without the listeners' time (at
 *     log steps)
 * @param checkpointDue whether the state is to be saved now (every {@code
 *     train.checkpoint_every_steps} and at the end of every epoch)
 */
public record StepEvent(
        long step,
        int epoch,
        boolean epochEnd,
        OptionalDouble meanLoss,
        long images,
        double seconds,
        boolean checkpointDue) {

    public boolean isLogStep() {
        return meanLoss.isPresent();
    }
}
