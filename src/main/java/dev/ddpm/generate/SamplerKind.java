package dev.ddpm.generate;

import dev.ddpm.config.ConfigChoice;
import dev.ddpm.diffusion.TimestepSpacing;

/** The samplers a user can choose ({@code --sampler}). */
public enum SamplerKind implements ConfigChoice {
    /** The reference's ancestral sampler: every timestep. */
    DDPM(null, null),
    /** DDIM over a chosen number of timesteps, DDIM-paper spacing; deterministic at eta 0. */
    DDIM(100, TimestepSpacing.LINSPACE),
    /** DPM-Solver++(2M): second-order multistep, deterministic, trailing spacing. */
    DPM_SOLVER_2M(15, TimestepSpacing.TRAILING) {
        @Override
        public String configName() {
            return "dpm++2m";
        }
    };

    private final Integer defaultSteps;
    private final TimestepSpacing defaultSpacing;

    SamplerKind(Integer defaultSteps, TimestepSpacing defaultSpacing) {
        this.defaultSteps = defaultSteps;
        this.defaultSpacing = defaultSpacing;
    }

    /** Steps when none are given (at most the schedule's), or null for DDPM (every timestep). */
    public Integer defaultSteps() {
        return defaultSteps;
    }

    /** Spacing when none is given, or null for DDPM (every timestep). */
    public TimestepSpacing defaultSpacing() {
        return defaultSpacing;
    }

    /** Whether it takes a chosen number of steps ({@code --steps}, {@code --spacing}). */
    public boolean takesSteps() {
        return defaultSteps != null;
    }
}
