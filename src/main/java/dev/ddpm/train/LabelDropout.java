package dev.ddpm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.NativeArrays;

/**
 * The label dropout that classifier-free guidance needs: each label of a batch becomes {@value
 * #NO_LABEL} ("no label", which the model embeds as zeros) with probability {@code
 * train.label_dropout}, drawn from libtorch's generator on the labels' device, so a seeded step
 * drops the same labels every time. Its constants are created once (see {@link NativeArrays}).
 */
final class LabelDropout {

    /** The label that means "no label". */
    static final long NO_LABEL = -1;

    private final double probability;
    private final NDArray threshold;
    private final NDArray noLabel;

    /**
     * @param probability of dropping each label, in [0, 1]
     * @param manager owns the constants; on the labels' device
     */
    LabelDropout(double probability, NDManager manager) {
        this.probability = probability;
        this.threshold = NativeArrays.scalar(manager, (float) probability);
        this.noLabel = NativeArrays.filled(manager, new Shape(), NO_LABEL);
    }

    /**
     * {@code labels} (int64) with each dropped with the probability; {@code labels} itself, and
     * nothing drawn, when the probability is 0. The result belongs to the labels' manager.
     */
    NDArray apply(NDArray labels) {
        if (probability == 0) {
            return labels;
        }
        NDArray keep = labels.getManager().randomUniform(0f, 1f, labels.getShape()).gte(threshold);
        return labels.getNDArrayInternal().where(keep, noLabel);
    }
}
