package dev.ddpm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * Global gradient-norm clipping as {@code torch.nn.utils.clip_grad_norm_}: all gradients are scaled by
 * {@code min(1, maxNorm / (norm + 1e-6))}, where {@code norm} is the L2 norm of all of them together.
 * The scale stays a device scalar, so clipping never waits for the device.
 */
final class GradientClipping {

    private GradientClipping() {}

    /**
     * Scales {@code gradients} in place. Intermediate arrays attach to the first gradient's manager (a
     * per-step manager in training).
     */
    static void clipGlobalNorm(List<NDArray> gradients, float maxNorm) {
        NDList norms = new NDList(gradients.size());
        for (NDArray g : gradients) {
            norms.add(g.norm());
        }
        NDArray total = NDArrays.stack(norms).norm();
        NDArray scale = total.add(1e-6f).pow(-1f).mul(maxNorm).minimum(1f);
        for (NDArray g : gradients) {
            g.muli(scale);
        }
    }
}
