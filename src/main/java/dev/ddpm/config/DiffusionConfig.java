package dev.ddpm.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The noise schedule and the training objective.
 *
 * @param timesteps number of diffusion steps {@code T}; the reference trains with 1001
 * @param schedule the beta schedule
 * @param betaStart first beta of the linear schedule
 * @param betaEnd last beta of the linear schedule
 * @param cosineS offset {@code s} of the cosine schedule
 * @param finalTimestep the timestep whose reverse step returns the mean: 0 (standard) or 1 (the
 *     reference, which never visits t = 0)
 * @param clipX0 clamp the predicted x0 to [-1, 1] in the reverse step (the reference does)
 * @param loss the noise-prediction loss
 * @param schedulePrecision the arithmetic of the schedule (see {@link Precision})
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DiffusionConfig(
        int timesteps,
        Schedule schedule,
        double betaStart,
        double betaEnd,
        double cosineS,
        int finalTimestep,
        boolean clipX0,
        Loss loss,
        Precision schedulePrecision) {

    /** How the betas are spaced. */
    public enum Schedule implements ConfigChoice {
        /** {@code linspace(beta_start, beta_end, T)}: the reference. */
        LINEAR,
        /** Nichol and Dhariwal's cosine schedule with offset {@code cosine_s}. */
        COSINE
    }

    /** The noise-prediction loss. */
    public enum Loss implements ConfigChoice {
        /** Mean absolute error: the reference. */
        L1,
        /** Mean squared error. */
        L2
    }

    /** The arithmetic the schedule is derived in. */
    public enum Precision implements ConfigChoice {
        /** Exact (double precision). */
        FLOAT64,
        /**
         * The reference's: betas, alphas and their cumulative product rounded to float32, which
         * moves the coefficients near t = 1, where {@code 1 - abar} cancels, by about 2e-4.
         */
        FLOAT32
    }

    public static DiffusionConfig reference() {
        return new DiffusionConfig(
                1000, Schedule.LINEAR, 1e-4, 0.02, 0.008, 0, true, Loss.L1, Precision.FLOAT64);
    }

    void validate(Validator v) {
        v.range("diffusion.timesteps", timesteps, 2, 100_000);
        v.present("diffusion.schedule", schedule, Schedule.class);
        v.check(
                betaStart > 0 && betaStart < 1,
                "diffusion.beta_start",
                "must be in (0, 1), got " + betaStart);
        v.check(
                betaEnd > 0 && betaEnd < 1,
                "diffusion.beta_end",
                "must be in (0, 1), got " + betaEnd);
        v.check(betaStart <= betaEnd, "diffusion.beta_start", "must not exceed diffusion.beta_end");
        v.check(
                cosineS >= 0 && cosineS < 1,
                "diffusion.cosine_s",
                "must be in [0, 1), got " + cosineS);
        v.range("diffusion.final_timestep", finalTimestep, 0, 1);
        v.present("diffusion.loss", loss, Loss.class);
        v.present("diffusion.schedule_precision", schedulePrecision, Precision.class);
    }
}
