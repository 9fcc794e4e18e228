package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * What the samplers need of a model: the predicted noise for a batch. Samplers know nothing of
 * blocks, parameters or files.
 */
@FunctionalInterface
public interface NoiseModel {

    /**
     * @param xt noisy images {@code [B, C, H, W]}
     * @param t integer timesteps {@code [B]} (int64)
     * @param labels class labels {@code [B]} (int64); a negative label means "no label"
     * @return predicted noise, shaped like {@code xt}
     */
    NDArray predictNoise(NDArray xt, NDArray t, NDArray labels);
}
