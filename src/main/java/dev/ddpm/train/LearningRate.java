package dev.ddpm.train;

import dev.ddpm.config.TrainConfig;

/**
 * The learning rate of each step: {@code train.lr}, ramped up linearly over {@code
 * train.lr_warmup_steps} and then, for the {@code cosine} schedule, decayed along half a cosine to
 * 0 at the run's last step. A function of the step alone, so a resumed run repeats it.
 */
record LearningRate(double peak, boolean cosine, int warmupSteps, long totalSteps) {

    static LearningRate of(TrainConfig train, long totalSteps) {
        return new LearningRate(
                train.lr(),
                train.lrSchedule() == TrainConfig.LrSchedule.COSINE,
                train.lrWarmupSteps(),
                totalSteps);
    }

    /** The rate of the update that takes step {@code step} (0-based) to {@code step + 1}. */
    double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (!cosine) {
            return peak;
        }
        double progress =
                Math.min(1, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
