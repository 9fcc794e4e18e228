package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import dev.ddpm.config.DiffusionConfig;

/**
 * The noise-prediction objective: the mean over all elements of {@code |noise - predicted|} (L1, the
 * reference) or of its square (L2). Written with plain array ops because DJL's {@code L1Loss} ignores
 * the prediction when given a weight.
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

    /** {@code l1} or {@code l2}, as {@code diffusion.loss} spells them. */
    public static DiffusionLoss of(String name) {
        return switch (name) {
            case "l1" -> L1;
            case "l2" -> L2;
            default -> throw new IllegalArgumentException("unknown loss '" + name + "' (expected one of "
                    + DiffusionConfig.LOSSES + ")");
        };
    }

    /** Scalar mean loss; it belongs to {@code noise}'s manager. */
    public abstract NDArray loss(NDArray noise, NDArray predicted);
}
