package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import dev.ddpm.config.DiffusionConfig;

/**
 * The noise-prediction objective: the mean over all elements of {@code |noise - predicted|} (L1,
 * the reference) or of its square (L2), optionally with a weight per image. Written with plain
 * array ops because DJL's {@code L1Loss} ignores the prediction when given a weight.
 */
public enum DiffusionLoss {
    L1 {
        @Override
        NDArray error(NDArray noise, NDArray predicted) {
            return noise.sub(predicted).abs();
        }
    },
    L2 {
        @Override
        NDArray error(NDArray noise, NDArray predicted) {
            return noise.sub(predicted).square();
        }
    };

    /** The loss {@code diffusion.loss} names. */
    public static DiffusionLoss of(DiffusionConfig.Loss loss) {
        return switch (loss) {
            case L1 -> L1;
            case L2 -> L2;
        };
    }

    /** The error of each element. */
    abstract NDArray error(NDArray noise, NDArray predicted);

    /** Scalar mean loss; it belongs to {@code noise}'s manager. */
    public NDArray loss(NDArray noise, NDArray predicted) {
        return error(noise, predicted).mean();
    }

    /**
     * The mean over the images {@code [B, ...]} of each image's mean error times its weight {@code
     * [B]}; it belongs to {@code noise}'s manager.
     */
    public NDArray loss(NDArray noise, NDArray predicted, NDArray weights) {
        long batch = noise.getShape().get(0);
        // mean over several axes is not supported by DJL: one axis of the flattened images
        return error(noise, predicted).reshape(batch, -1).mean(new int[] {1}).mul(weights).mean();
    }
}
