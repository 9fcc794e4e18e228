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

    /** Whether it takes a chosen number of steps ({@code --steps}, {@code --spacing}). */
    public boolean takesSteps() {
        return this != DDPM;
    }
}
