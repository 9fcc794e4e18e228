package dev.ddpm.config;

/**
 * Which timesteps a sampler with fewer steps than the schedule visits, from a first timestep down
 * to the schedule's final one ({@code --spacing}, {@code train.eval_spacing}). The spacing decides
 * where the model is evaluated; the last step always goes from the last visited timestep to the end
 * of the schedule. The timesteps themselves are computed by {@code diffusion.Timesteps}.
 */
public enum TimestepSpacing implements ConfigChoice {
    /**
     * The DDIM paper's: {@code steps} timesteps evenly spaced from the first to the final timestep,
     * both included ({@code 999, 888, ..., 111, 0} for 10 of 1,000). The model is evaluated once at
     * the final timestep, where there is almost no noise left.
     */
    LINSPACE,
    /**
     * Trailing (Lin et al. 2023, diffusers' {@code "trailing"}): {@code steps} timesteps spaced by
     * {@code n / steps} down from the first one ({@code 999, 899, ..., 99} for 10 of 1,000), so
     * that every evaluation removes the same share of the timeline and the last step jumps from
     * {@code n / steps} to the end.
     */
    TRAILING,
    /**
     * Evenly in log-SNR ({@code lambda}, DPM-Solver's time variable; its {@code
     * skip_type="logSNR"}, recommended there for low-resolution images): from the first timestep to
     * the final one, both included, each visited timestep the one whose {@code lambda} is nearest.
     * Every step of a multistep solver then has the same {@code h}, and the last model evaluation
     * is at the final timestep, where almost no noise is left, so the sample is the model's x0
     * estimate there.
     */
    LOGSNR
}
