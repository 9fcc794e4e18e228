package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import dev.ddpm.config.DiffusionConfig;

/**
 * The noise-prediction objective: the mean over all elements of {@code |noise - predicted|} (L1,
 * the reference) or of its square (L2). Written with plain array ops because DJL's {@code L1Loss}
 * ignores the prediction when given a weight.
 */
public enum DiffusionLoss {
    L1 {
        @Override
        public NDArray loss(NDArray noise, NDArray predicted) {
            return noise.sub(predicted).abs().mean();
        }
    },
    L2 {
        @Override
        public NDArray loss(NDArray noise, NDArray predicted) {
            return noise.sub(predicted).square().mean();
        }
    };

    /** The loss {@code diffusion.loss} names. */
    public static DiffusionLoss of(DiffusionConfig.Loss loss) {
        return switch (loss) {
            case L1 -> L1;
            case L2 -> L2;
        };
    }

    /** Scalar mean loss; it belongs to {@code noise}'s manager. */
    public abstract NDArray loss(NDArray noise, NDArray predicted);
}
