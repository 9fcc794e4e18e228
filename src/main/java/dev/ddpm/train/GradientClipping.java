package dev.ddpm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.ddpm.common.NativeArrays;
import java.util.List;

/**
 * Global gradient-norm clipping as {@code torch.nn.utils.clip_grad_norm_}: all gradients are scaled
 * by {@code min(1, maxNorm / (norm + 1e-6))}, where {@code norm} is the L2 norm of all of them
 * together. The scale stays a device scalar, so clipping never waits for the device; its constants
 * are created once (see {@link NativeArrays}).
 */
final class GradientClipping {

    private final NDArray maxNorm;
    private final NDArray epsilon;
    private final NDArray one;

    /**
     * @param manager owns the constants; on the gradients' device
     */
    GradientClipping(float maxNorm, NDManager manager) {
        this.maxNorm = NativeArrays.scalar(manager, maxNorm);
        this.epsilon = NativeArrays.scalar(manager, 1e-6f);
        this.one = NativeArrays.scalar(manager, 1f);
    }

    /**
     * Scales {@code gradients} in place. Intermediate arrays attach to the first gradient's manager
     * (a per-step manager in training).
     */
    void clipGlobalNorm(List<NDArray> gradients) {
        NDList norms = new NDList(gradients.size());
        for (NDArray g : gradients) {
            norms.add(g.norm());
        }
        NDArray total = NDArrays.stack(norms).norm();
        NDArray ratio = maxNorm.div(total.add(epsilon));
        // A result belongs to its first operand's manager: move it to the step's, like the rest.
        ratio.attach(total.getManager());
        NDArray scale = ratio.minimum(one);
        for (NDArray g : gradients) {
            g.muli(scale);
        }
    }
}
