package dev.ddpm.config;

/** The samplers a user can choose ({@code --sampler}, {@code train.sample_sampler}). */
public enum SamplerKind implements ConfigChoice {
    /** The reference's ancestral sampler: every timestep. */
    DDPM,
    /** DDIM over a chosen number of timesteps, DDIM-paper spacing; deterministic at eta 0. */
    DDIM,
    /** DPM-Solver++(2M): second-order multistep, deterministic, trailing spacing. */
    DPM_SOLVER_2M {
        @Override
        public String configName() {
            return "dpm++2m";
        }
    };

    /**
     * Steps when none are given ({@code --steps}, {@code train.sample_steps}), or null for DDPM
     * (every timestep).
     */
    public Integer defaultSteps() {
        return switch (this) {
            case DDPM -> null;
            case DDIM -> 100;
            case DPM_SOLVER_2M -> 20;
        };
    }

    /** Whether it takes a chosen number of steps ({@code --steps}, {@code --spacing}). */
    public boolean takesSteps() {
        return this != DDPM;
    }
}
