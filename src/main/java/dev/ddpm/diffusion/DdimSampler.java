package dev.ddpm.diffusion;

import java.util.ArrayList;
import java.util.List;

/**
 * DDIM sampling (Song et al.) over {@code steps} timesteps evenly spaced from {@code T-1} down to
 * the schedule's final timestep. {@code eta = 0} is deterministic given the initial noise; {@code
 * eta = 1} with every timestep is exactly DDPM's ancestral sampling. The last step returns the
 * mean.
 */
public final class DdimSampler implements Sampler {

    private final int steps;
    private final double eta;

    public DdimSampler(int steps, double eta) {
        if (steps < 1) {
            throw new IllegalArgumentException("DDIM needs at least 1 step, got " + steps);
        }
        if (!(eta >= 0) || Double.isInfinite(eta)) {
            throw new IllegalArgumentException("eta must be a finite number >= 0, got " + eta);
        }
        this.steps = steps;
        this.eta = eta;
    }

    /** The timesteps visited, descending: {@code T-1} first, the schedule's final timestep last. */
    public int[] timesteps(NoiseSchedule schedule) {
        int first = schedule.timesteps() - 1;
        int last = schedule.finalTimestep();
        if (steps > schedule.reverseSteps()) {
            throw new IllegalArgumentException(
                    "DDIM steps ("
                            + steps
                            + ") exceed the schedule's "
                            + schedule.reverseSteps()
                            + " timesteps");
        }
        int[] ts = new int[steps];
        ts[0] = first;
        for (int i = 1; i < steps; i++) {
            // spacing >= 1, so rounding keeps the timesteps distinct
            ts[i] = (int) Math.round(first - (double) i * (first - last) / (steps - 1));
        }
        return ts;
    }

    /** Each step goes to the next visited timestep; the last to the final one's prior. */
    @Override
    public List<ReverseStep> plan(NoiseSchedule schedule) {
        int[] ts = timesteps(schedule);
        List<ReverseStep> plan = new ArrayList<>(ts.length);
        for (int i = 0; i < ts.length; i++) {
            double abarPrev =
                    i + 1 < ts.length
                            ? schedule.alphaCumprod(ts[i + 1])
                            : schedule.alphaCumprodPrev(schedule.finalTimestep());
            plan.add(ReverseStep.ddim(schedule, ts[i], abarPrev, eta));
        }
        return plan;
    }
}
