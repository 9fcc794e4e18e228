package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Turns noise into images by running a reverse process over a schedule. Knows nothing of files. */
public interface Sampler {

    /**
     * @param model the noise predictor
     * @param schedule the noise schedule the model was trained with
     * @param labels int64 class labels {@code [B]} on the device; a negative label samples without one
     * @param guidance classifier-free guidance weight {@code w >= 0}: the noise estimate is
     *     {@code eps_uncond + (1 + w) (eps_cond - eps_uncond)}, so 0 is plain conditional sampling (one
     *     forward pass per step) and {@code w > 0} runs the conditional and unconditional predictions
     *     in one batched pass
     * @param seed seeds libtorch's generator before the initial noise: same seed, same device, same images
     * @param imageShape {@code [C, H, W]}
     * @param listener called after every step, or null
     * @return the samples {@code [B, C, H, W]} in [-1, 1] (float32, on the labels' device and manager)
     */
    NDArray sample(NoiseModel model, NoiseSchedule schedule, NDArray labels, double guidance, long seed,
            Shape imageShape, SamplingListener listener);

    /** Reverse steps one {@link #sample} call takes with this schedule. */
    int steps(NoiseSchedule schedule);
}
