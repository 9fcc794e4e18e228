package dev.ddpm.diffusion;

import java.util.ArrayList;
import java.util.List;

/**
 * DDPM ancestral sampling as the reference does it: every timestep from {@code T-1} down to the
 * schedule's final timestep, predicting x0 (clamped to [-1, 1] when the schedule clips), stepping
 * to the posterior mean plus its standard deviation times fresh noise, and returning the mean at
 * the final timestep.
 */
public final class DdpmSampler implements Sampler {

    @Override
    public List<ReverseStep> plan(NoiseSchedule schedule) {
        List<ReverseStep> steps = new ArrayList<>(schedule.reverseSteps());
        for (int t = schedule.timesteps() - 1; t >= schedule.finalTimestep(); t--) {
            steps.add(ReverseStep.ddpm(schedule, t));
        }
        return steps;
    }
}
