package dev.ddpm.diffusion;

import dev.ddpm.config.TimestepSpacing;

/** The timesteps of a schedule that a sampler visits, spaced as a {@link TimestepSpacing} says. */
public final class Timesteps {

    private Timesteps() {}

    /**
     * The visited timesteps of {@code schedule}, descending and distinct, from {@code first} toward
     * the schedule's final timestep.
     *
     * @throws IllegalArgumentException when {@code steps} is below 1 or exceeds the timesteps from
     *     {@code first} down to the final one
     */
    public static int[] spaced(
            TimestepSpacing spacing, NoiseSchedule schedule, int first, int steps) {
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
            ts[i] =
                    switch (spacing) {
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
                        case LOGSNR -> nearestInLambda(schedule, first, steps, i);
                    };
            // near the end a lambda step can be shorter than one timestep: keep the timesteps
            // distinct and leave one for each remaining step
            if (i > 0) {
                ts[i] = Math.max(Math.min(ts[i], ts[i - 1] - 1), last + steps - 1 - i);
            }
        }
        return ts;
    }

    /**
     * The timestep from {@code first} down to the final one whose lambda is nearest step {@code
     * i}'s even share of the way.
     */
    private static int nearestInLambda(NoiseSchedule schedule, int first, int steps, int i) {
        if (steps == 1) {
            return first;
        }
        int last = schedule.finalTimestep();
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
