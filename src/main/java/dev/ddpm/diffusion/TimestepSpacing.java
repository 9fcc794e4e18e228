package dev.ddpm.diffusion;

import dev.ddpm.config.ConfigChoice;

/**
 * Which timesteps a sampler with fewer steps than the schedule visits, from a first timestep down
 * to the schedule's final one. The spacing decides where the model is evaluated; the last step
 * always goes from the last visited timestep to the end of the schedule.
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
     * {@code n / steps} to the end. Best for the multistep solvers, whose steps it keeps even.
     */
    TRAILING;

    /**
     * The visited timesteps, descending and distinct, {@code first} first.
     *
     * @throws IllegalArgumentException when {@code steps} is below 1 or exceeds the {@code first -
     *     last + 1} timesteps available
     */
    public int[] timesteps(int first, int last, int steps) {
        int available = first - last + 1;
        if (steps < 1 || steps > available) {
            throw new IllegalArgumentException(
                    "steps must be between 1 and the schedule's "
                            + available
                            + " timesteps, got "
                            + steps);
        }
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            // spacing >= 1, so rounding keeps the timesteps distinct
            ts[i] =
                    switch (this) {
                        case LINSPACE ->
                                steps == 1
                                        ? first
                                        : (int)
                                                Math.round(
                                                        first
                                                                - (double) i
                                                                        * (first - last)
                                                                        / (steps - 1));
                        case TRAILING ->
                                last
                                        - 1
                                        + (int)
                                                Math.round(
                                                        (double) available * (steps - i) / steps);
                    };
        }
        return ts;
    }
}
