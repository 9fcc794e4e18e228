package dev.ddpm.train;

import java.io.IOException;

/**
 * Something that happens around the steps of a {@link TrainingLoop}, as DJL's {@code
 * TrainingListener}s do for {@code EasyTrain}: logging, divergence checks, checkpoints, previews.
 * Listeners run in the loop's order, on the training thread.
 */
public interface TrainingLoopListener {

    /** After every step. */
    default void onStep(DiffusionTrainer trainer, StepEvent event) throws IOException {}

    /**
     * When the loop ends, after the last step: all epochs done, or stopped early. A final log
     * event, if there were steps since the last one, has been delivered before.
     */
    default void onEnd(DiffusionTrainer trainer, TrainingLoop.Outcome outcome) throws IOException {}
}
