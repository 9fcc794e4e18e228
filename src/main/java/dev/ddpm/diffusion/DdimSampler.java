package dev.ddpm.diffusion;

import dev.ddpm.config.SamplingLimits;
import dev.ddpm.config.TimestepSpacing;
import java.util.ArrayList;
import java.util.List;

/**
 * DDIM sampling (Song et al.) over {@code steps} timesteps from {@code T-1} down to the schedule's
 * final timestep, spaced as asked ({@link TimestepSpacing#LINSPACE}, the paper's, by default).
 * {@code eta = 0} is deterministic given the initial noise; {@code eta = 1} with every timestep is
 * exactly DDPM's ancestral sampling. The last step returns the mean.
 */
public final class DdimSampler implements Sampler {

    private final int steps;
    private final double eta;
    private final TimestepSpacing spacing;

    public DdimSampler(int steps, double eta) {
        this(steps, eta, TimestepSpacing.LINSPACE);
    }

    public DdimSampler(int steps, double eta, TimestepSpacing spacing) {
        if (steps < 1) {
            throw new IllegalArgumentException("DDIM needs at least 1 step, got " + steps);
        }
        this.steps = steps;
        this.eta = SamplingLimits.requireEta(eta);
        this.spacing = spacing;
    }

    /** The timesteps visited, descending: {@code T-1} first. */
    public int[] timesteps(NoiseSchedule schedule) {
        return Timesteps.spaced(spacing, schedule, schedule.timesteps() - 1, steps);
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
                            : schedule.endAlphaCumprod();
            plan.add(ReverseStep.ddim(schedule, ts[i], abarPrev, eta));
        }
        return plan;
    }
}
