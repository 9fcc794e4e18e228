package dev.ddpm.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Set;

/**
 * The noise schedule and the training objective.
 *
 * @param timesteps number of diffusion steps {@code T}; the reference trains with 1001
 * @param schedule {@code linear} or {@code cosine}
 * @param betaStart first beta of the linear schedule
 * @param betaEnd last beta of the linear schedule
 * @param cosineS offset {@code s} of the cosine schedule
 * @param finalTimestep the timestep whose reverse step returns the mean: 0 (standard) or 1 (the
 *     reference, which never visits t = 0)
 * @param clipX0 clamp the predicted x0 to [-1, 1] in the reverse step (the reference does)
 * @param loss {@code l1} (reference) or {@code l2}
 * @param schedulePrecision {@code float64} (default: the schedule derived exactly) or {@code float32} (the
 *     reference's arithmetic: betas, alphas and their cumulative product rounded to float32, which moves the
 *     coefficients near t = 1, where {@code 1 - abar} cancels, by about 2e-4)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DiffusionConfig(
        int timesteps,
        String schedule,
        double betaStart,
        double betaEnd,
        double cosineS,
        int finalTimestep,
        boolean clipX0,
        String loss,
        String schedulePrecision) {

    public static final Set<String> SCHEDULES = Set.of("linear", "cosine");
    public static final Set<String> LOSSES = Set.of("l1", "l2");
    public static final Set<String> PRECISIONS = Set.of("float64", "float32");

    public static DiffusionConfig reference() {
        return new DiffusionConfig(1000, "linear", 1e-4, 0.02, 0.008, 0, true, "l1", "float64");
    }

    void validate(Validator v) {
        v.range("diffusion.timesteps", timesteps, 2, 100_000);
        v.oneOf("diffusion.schedule", schedule, SCHEDULES);
        v.check(betaStart > 0 && betaStart < 1, "diffusion.beta_start", "must be in (0, 1), got " + betaStart);
        v.check(betaEnd > 0 && betaEnd < 1, "diffusion.beta_end", "must be in (0, 1), got " + betaEnd);
        v.check(betaStart <= betaEnd, "diffusion.beta_start", "must not exceed diffusion.beta_end");
        v.check(cosineS >= 0 && cosineS < 1, "diffusion.cosine_s", "must be in [0, 1), got " + cosineS);
        v.range("diffusion.final_timestep", finalTimestep, 0, 1);
        v.oneOf("diffusion.loss", loss, LOSSES);
        v.oneOf("diffusion.schedule_precision", schedulePrecision, PRECISIONS);
    }
}
