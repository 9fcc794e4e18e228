package dev.ddpm.diffusion;

import java.util.List;

/**
 * A way of turning noise into images, as the reverse steps it takes over a schedule (its plan);
 * {@link ReverseProcess} runs any plan. Knows nothing of models, devices or files.
 */
public interface Sampler {

    /**
     * The steps of one pass over {@code schedule}, in order; the last returns the mean (no noise is
     * added).
     */
    List<ReverseStep> plan(NoiseSchedule schedule);
}
