package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * DDPM ancestral sampling as the reference does it: every timestep from {@code T-1} down to the
 * schedule's final timestep, predicting x0 (clamped to [-1, 1] when the schedule clips), stepping to
 * the posterior mean plus its standard deviation times fresh noise, and returning the mean at the
 * final timestep.
 */
public final class DdpmSampler implements Sampler {

    private final int maxBatch;

    /** All images in one batch. */
    public DdpmSampler() {
        this(Integer.MAX_VALUE);
    }

    /** @param maxBatch largest batch sent through the model at once (a memory cap) */
    public DdpmSampler(int maxBatch) {
        this.maxBatch = maxBatch;
    }

    /** The steps of a full ancestral pass over {@code schedule}. */
    public static List<ReverseStep> plan(NoiseSchedule schedule) {
        List<ReverseStep> steps = new ArrayList<>(schedule.reverseSteps());
        for (int t = schedule.timesteps() - 1; t >= schedule.finalTimestep(); t--) {
            steps.add(ReverseStep.ddpm(schedule, t));
        }
        return steps;
    }

    @Override
    public int steps(NoiseSchedule schedule) {
        return schedule.reverseSteps();
    }

    @Override
    public NDArray sample(NoiseModel model, NoiseSchedule schedule, NDArray labels, double guidance, long seed,
            Shape imageShape, SamplingListener listener) {
        return new ReverseProcess(plan(schedule), maxBatch)
                .run(model, schedule, labels, guidance, seed, imageShape, listener);
    }

    /**
     * One ancestral step from {@code xt} at timestep {@code t} with the given noise {@code z}; at the
     * schedule's final timestep, or with {@code z} null, it returns the posterior mean. The same arithmetic as
     * {@link #sample}, exposed so that it can be checked against the reference.
     *
     * @return {@code x_{t-1}}, belonging to {@code xt}'s manager
     */
    public static NDArray reverseStep(NoiseModel model, NoiseSchedule schedule, NDArray xt, int t, NDArray labels,
            double guidance, NDArray z) {
        if (t < schedule.finalTimestep() || t >= schedule.timesteps()) {
            throw new IllegalArgumentException("timestep " + t + " outside [" + schedule.finalTimestep() + ", "
                    + (schedule.timesteps() - 1) + "]");
        }
        ReverseProcess.checkGuidance(guidance);
        NDManager out = xt.getManager();
        try (NDManager step = out.newSubManager()) {
            ReverseProcess.Conditioning conditioning = ReverseProcess.Conditioning.of(step, labels, guidance);
            ReverseProcess.DeviceStep coefficients = ReverseProcess
                    .upload(step, List.of(ReverseStep.ddpm(schedule, t)), conditioning.labels().size()).get(0);
            xt.tempAttach(step);
            NDArray eps = ReverseProcess.predictNoise(model, xt, coefficients.t(), conditioning);
            NDArray noise = t == schedule.finalTimestep() ? null : z;
            NDArray prev = ReverseProcess.apply(xt, eps, coefficients, schedule.clipX0(), noise);
            prev.attach(out);
            return prev;
        }
    }
}
