package dev.ddpm.train;

import dev.ddpm.io.RunDirectory;

/**
 * Stops a run whose loss or weights became NaN or infinite, before anything records or saves that
 * state: the loss at every log step, the loss and every weight before every checkpoint and at the
 * end. The run's newest checkpoint is then the last good one.
 */
final class DivergenceGuard implements TrainingLoopListener {

    private final RunDirectory run;

    DivergenceGuard(RunDirectory run) {
        this.run = run;
    }

    @Override
    public void onStep(DiffusionTrainer trainer, StepEvent event) {
        if (event.isLogStep() && !Double.isFinite(event.meanLoss().getAsDouble())) {
            throw diverged(trainer, "the loss became " + event.meanLoss().getAsDouble());
        }
        if (event.checkpointDue()) {
            requireFinite(trainer);
        }
    }

    @Override
    public void onEnd(DiffusionTrainer trainer, TrainingLoop.Outcome outcome) {
        requireFinite(trainer);
    }

    private void requireFinite(DiffusionTrainer trainer) {
        if (!trainer.isFinite()) {
            throw diverged(trainer, "the loss or the weights became NaN or infinite");
        }
    }

    private TrainingDivergedException diverged(DiffusionTrainer trainer, String what) {
        String lastGood =
                run.latestCheckpoint()
                        .map(p -> "step " + RunDirectory.stepOf(p))
                        .orElse("none yet");
        return new TrainingDivergedException(
                "training diverged at step "
                        + trainer.stepsDone()
                        + ": "
                        + what
                        + "; no checkpoint was written for it, the last good one is kept ("
                        + lastGood
                        + ")."
                        + " Try a lower train.lr or set train.grad_clip");
    }
}
