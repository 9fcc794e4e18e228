package dev.ddpm.generate;

import dev.ddpm.config.SamplerKind;
import dev.ddpm.config.SamplingLimits;
import dev.ddpm.config.TimestepSpacing;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.diffusion.DdimSampler;
import dev.ddpm.diffusion.DdpmSampler;
import dev.ddpm.diffusion.DpmSolverSampler;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.diffusion.Sampler;

/**
 * How to generate: the sampler, its steps and their spacing, the guidance weight, the seed and the
 * largest batch sent through the model at once.
 *
 * @param sampler DDPM (every timestep), DDIM or DPM-Solver++(2M)
 * @param steps the sampler's steps, or null for its default ({@link SamplerKind#defaultSteps}, at
 *     most the schedule's); must be null for DDPM
 * @param eta DDIM's noise (0 deterministic, 1 like DDPM); must be 0 for DPM-Solver++, ignored for
 *     DDPM
 * @param spacing which timesteps the steps visit, or null for the sampler's default; must be null
 *     for DDPM
 * @param guidance classifier-free guidance {@code w >= 0}; 0 is plain conditional sampling
 * @param seed the seed of the noise (see {@link Generator#generate})
 * @param maxBatch images per batch, or null to let the generator choose
 */
public record SamplingSettings(
        SamplerKind sampler,
        Integer steps,
        double eta,
        TimestepSpacing spacing,
        double guidance,
        long seed,
        Integer maxBatch) {

    /** Spacing when none is given, or null for DDPM (every timestep). */
    public static TimestepSpacing defaultSpacing(SamplerKind sampler) {
        return switch (sampler) {
            case DDPM -> null;
            case DDIM -> TimestepSpacing.LINSPACE;
            case DPM_SOLVER_2M -> TimestepSpacing.TRAILING;
        };
    }

    /**
     * Checks what does not depend on the model; the command line has said it to the user already.
     */
    public SamplingSettings {
        if ((steps != null || spacing != null) && !sampler.takesSteps()) {
            throw new IllegalArgumentException("DDPM takes every timestep: no steps or spacing");
        }
        if (steps != null && steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        if (eta != 0 && sampler == SamplerKind.DPM_SOLVER_2M) {
            throw new IllegalArgumentException("DPM-Solver++ is deterministic: eta must be 0");
        }
        SamplingLimits.requireEta(eta);
        SamplingLimits.requireGuidance(guidance);
        if (maxBatch != null && maxBatch < 1) {
            throw new IllegalArgumentException("the batch must be at least 1, got " + maxBatch);
        }
    }

    /** {@code sampler} with its default steps and spacing, no guidance, the batch chosen. */
    public static SamplingSettings of(SamplerKind sampler, long seed) {
        return new SamplingSettings(sampler, null, 0, null, 0, seed, null);
    }

    /**
     * How a run of {@code train} is judged ({@code train.eval_sampler}, {@code eval_steps}, {@code
     * eval_spacing}, {@code eval_eta}, {@code eval_guidance}), the batch chosen: its checkpoints'
     * recommendation for sampling.
     */
    public static SamplingSettings judging(TrainConfig train, long seed) {
        return new SamplingSettings(
                train.evalSampler(),
                train.evalSteps(),
                train.evalEta(),
                train.evalSpacing(),
                train.evalGuidance(),
                seed,
                null);
    }

    /** DDIM with {@code steps} steps, eta 0, no guidance, the batch chosen. */
    public static SamplingSettings ddim(int steps, long seed) {
        return of(SamplerKind.DDIM, seed).withSteps(steps);
    }

    /** The same settings with another step count. */
    public SamplingSettings withSteps(int n) {
        return new SamplingSettings(sampler, n, eta, spacing, guidance, seed, maxBatch);
    }

    /** The same settings with another guidance weight. */
    public SamplingSettings withGuidance(double w) {
        return new SamplingSettings(sampler, steps, eta, spacing, w, seed, maxBatch);
    }

    /** The same settings with another batch cap. */
    public SamplingSettings withMaxBatch(int n) {
        return new SamplingSettings(sampler, steps, eta, spacing, guidance, seed, n);
    }

    /** The DDIM eta in effect, or null where the sampler has none. */
    public Double effectiveEta() {
        return sampler == SamplerKind.DDIM ? eta : null;
    }

    /** The spacing in effect, or null for DDPM. */
    public TimestepSpacing effectiveSpacing() {
        return spacing != null ? spacing : defaultSpacing(sampler);
    }

    /** The most steps the sampler can take on {@code schedule}, or null for DDPM. */
    public Integer maxSteps(NoiseSchedule schedule) {
        return switch (sampler) {
            case DDPM -> null;
            case DDIM -> schedule.reverseSteps();
            case DPM_SOLVER_2M -> DpmSolverSampler.maxSteps(schedule);
        };
    }

    /** The steps in effect on {@code schedule}: the given ones or the default, or null for DDPM. */
    public Integer effectiveSteps(NoiseSchedule schedule) {
        if (!sampler.takesSteps()) {
            return null;
        }
        return steps != null ? steps : Math.min(sampler.defaultSteps(), maxSteps(schedule));
    }

    /**
     * The sampler on {@code schedule}; steps beyond {@link #maxSteps} are an
     * IllegalArgumentException.
     */
    public Sampler samplerFor(NoiseSchedule schedule) {
        return switch (sampler) {
            case DDPM -> new DdpmSampler();
            case DDIM -> new DdimSampler(effectiveSteps(schedule), eta, effectiveSpacing());
            case DPM_SOLVER_2M ->
                    new DpmSolverSampler(effectiveSteps(schedule), 2, effectiveSpacing());
        };
    }
}
