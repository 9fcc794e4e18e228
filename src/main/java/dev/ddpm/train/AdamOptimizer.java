package dev.ddpm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.ddpm.common.NativeArrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with exactly the update of {@code torch.optim.Adam} (no weight decay, no AMSGrad):
 *
 * <pre>
 *   m = b1 m + (1 - b1) g          v = b2 v + (1 - b2) g^2
 *   w = w - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * The moments live in this class (not in DJL's optimizer, whose state cannot be saved), so that a
 * checkpoint holds them as {@code m.<param>} and {@code v.<param>}.
 *
 * <p>Each parameter is updated by one native call, DJL's fused Adam kernel, which computes {@code w
 * -= lrc * m / (sqrt(v) + eps')} and clears the gradient. Multiplying numerator and denominator of
 * torch's update by {@code sqrt(1 - b2^t)} shows that {@code lrc = lr sqrt(1 - b2^t) / (1 - b1^t)}
 * and {@code eps' = eps sqrt(1 - b2^t)} give torch's update.
 */
public final class AdamOptimizer {

    private static final String MEAN = "m.";
    private static final String VARIANCE = "v.";

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final List<String> names;
    private final List<NDArray> weights;
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> variances = new ArrayList<>();
    private long steps;

    /**
     * @param weights the live parameter arrays (gradients attached), by name
     * @param stateManager owns the moment arrays; on the weights' device
     */
    public AdamOptimizer(
            Map<String, NDArray> weights,
            double beta1,
            double beta2,
            double eps,
            NDManager stateManager) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.names = new ArrayList<>(weights.keySet());
        this.weights = new ArrayList<>(weights.values());
        for (NDArray w : this.weights) {
            means.add(stateManager.zeros(w.getShape(), w.getDataType()));
            variances.add(stateManager.zeros(w.getShape(), w.getDataType()));
        }
    }

    /** Number of updates applied so far ({@code t} of the bias corrections). */
    public long steps() {
        return steps;
    }

    /**
     * Applies one update from the weights' current gradients, then clears the gradients.
     *
     * @param gradients the gradients of the weights, in the order of the constructor's map
     * @param lr the learning rate of this update
     */
    public void step(List<NDArray> gradients, double lr) {
        steps++;
        double correction2 = Math.sqrt(1 - Math.pow(beta2, steps));
        float correctedLr = (float) (lr * correction2 / (1 - Math.pow(beta1, steps)));
        float correctedEps = (float) (eps * correction2);
        for (int i = 0; i < weights.size(); i++) {
            NDArray w = weights.get(i);
            // Argument order as in ai.djl.training.optimizer.Adam: inputs (weight, grad, mean,
            // variance),
            // outputs (weight), lr, lr with bias correction, weight decay, gradient rescale, clip
            // (off),
            // beta1, beta2, eps, lazy update, AdamW.
            w.getNDArrayInternal()
                    .adamUpdate(
                            new NDList(w, gradients.get(i), means.get(i), variances.get(i)),
                            new NDList(w),
                            (float) lr,
                            correctedLr,
                            0f,
                            1f,
                            -1f,
                            (float) beta1,
                            (float) beta2,
                            correctedEps,
                            false,
                            false);
        }
    }

    /** The moments under checkpoint names ({@code m.<param>}, {@code v.<param>}); live arrays. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            state.put(MEAN + names.get(i), means.get(i));
        }
        for (int i = 0; i < names.size(); i++) {
            state.put(VARIANCE + names.get(i), variances.get(i));
        }
        return state;
    }

    /**
     * Restores the moments saved by {@link #state()} and the step count.
     *
     * @throws IllegalArgumentException naming every missing or wrong-shaped moment
     */
    public void load(Map<String, NDArray> state, long steps) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (String prefix : List.of(MEAN, VARIANCE)) {
                NDArray saved = state.get(prefix + names.get(i));
                NDArray target = (prefix.equals(MEAN) ? means : variances).get(i);
                if (saved == null) {
                    problems.add(prefix + names.get(i) + " (missing)");
                } else if (!saved.getShape().equals(target.getShape())) {
                    problems.add(
                            prefix
                                    + names.get(i)
                                    + " (shape "
                                    + saved.getShape()
                                    + ", expected "
                                    + target.getShape()
                                    + ")");
                }
            }
        }
        state.keySet().stream()
                .filter(
                        k ->
                                !(k.startsWith(MEAN) || k.startsWith(VARIANCE))
                                        || !names.contains(k.substring(2)))
                .forEach(k -> problems.add(k + " (unknown)"));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "optimizer state does not match the model: " + String.join(", ", problems));
        }
        for (int i = 0; i < names.size(); i++) {
            NativeArrays.copyInto(state.get(MEAN + names.get(i)), means.get(i));
            NativeArrays.copyInto(state.get(VARIANCE + names.get(i)), variances.get(i));
        }
        this.steps = steps;
    }
}
