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
    TRAILING,
    /**
     * Evenly in log-SNR ({@code lambda}, DPM-Solver's time variable; its {@code
     * skip_type="logSNR"}, recommended there for low-resolution images): from the first timestep to
     * the final one, both included, each visited timestep the one whose {@code lambda} is nearest.
     * Every step of a multistep solver then has the same {@code h}, and the last model evaluation
     * is at the final timestep, where almost no noise is left, so the sample is the model's
     * sharpest x0 estimate.
     */
    LOGSNR;

    /**
     * The visited timesteps of {@code schedule}, descending and distinct, from {@code first} toward
     * the schedule's final timestep.
     *
     * @throws IllegalArgumentException when {@code steps} is below 1 or exceeds the {@code first -
     *     last + 1} timesteps available
     */
    public int[] timesteps(NoiseSchedule schedule, int first, int steps) {
        int last = schedule.finalTimestep();
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
                        case LOGSNR -> nearestInLambda(schedule, first, last, steps, i);
                    };
            // near the end a lambda step can be shorter than one timestep: keep the timesteps
            // distinct and leave one for each remaining step
            if (i > 0) {
                ts[i] = Math.max(Math.min(ts[i], ts[i - 1] - 1), last + steps - 1 - i);
            }
        }
        return ts;
    }

    /** The timestep in {@code [last, first]} whose lambda is nearest to step i's even share. */
    private static int nearestInLambda(
            NoiseSchedule schedule, int first, int last, int steps, int i) {
        if (steps == 1) {
            return first;
        }
        double target =
                schedule.lambda(first)
                        + (schedule.lambda(last) - schedule.lambda(first)) * i / (steps - 1);
        // lambda falls as t grows
        int t = last;
        while (t < first && schedule.lambda(t + 1) >= target) {
            t++;
        }
        boolean nextIsNearer =
                t < first && target - schedule.lambda(t + 1) < schedule.lambda(t) - target;
        return nextIsNearer ? t + 1 : t;
    }
}
