package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * Watches a sampling loop, e.g. to keep frames for a GIF. Called after every reverse step; copying
 * {@code xt} to the host is the listener's choice, so it should do it only for the frames it keeps.
 * When a sampler splits a large batch (see {@code maxBatch}), the steps run once per part, in
 * order.
 */
@FunctionalInterface
public interface SamplingListener {

    /**
     * @param stepIndex 0 for the first reverse step, {@code totalSteps - 1} for the last
     * @param totalSteps reverse steps of the loop
     * @param t the timestep this step started from
     * @param xt the images after this step, {@code [B, C, H, W]} on the device; valid only during
     *     the call
     */
    void onStep(int stepIndex, int totalSteps, int t, NDArray xt);
}
