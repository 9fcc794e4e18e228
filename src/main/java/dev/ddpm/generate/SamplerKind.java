package dev.ddpm.generate;

import dev.ddpm.config.ConfigChoice;

/** The samplers a user can choose ({@code --sampler}). */
public enum SamplerKind implements ConfigChoice {
    /** The reference's ancestral sampler: every timestep. */
    DDPM,
    /** DDIM over a chosen number of evenly spaced timesteps; deterministic at eta 0. */
    DDIM
}
