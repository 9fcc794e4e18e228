package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ddpm.common.NativeArrays;

/**
 * Multi-head self-attention over the pixels, 4 heads of 32: {@code input_to_qkv} (1x1 conv, no
 * bias) to q, k, v; {@code softmax(q^T k / sqrt(32))} over the keys; the heads' outputs stacked
 * head-major into 128 channels; {@code to_output} (1x1 conv with bias). As in the reference, no
 * norm before it and no residual around it: its output replaces the features.
 */
final class Attention extends ModelBlock {

    static final int HEADS = 4;
    static final int HEAD_DIM = 32;
    private static final int HIDDEN = HEADS * HEAD_DIM;

    private final Conv1x1 toQkv;
    private final Conv1x1 toOutput;

    /**
     * {@code 1/sqrt(32)}, an array of the block's own: autograd keeps it for the backward pass, so
     * it must outlive every step (see {@link NativeArrays}).
     */
    private NDArray scale;

    Attention(long channels) {
        toQkv = addChildBlock("input_to_qkv", new Conv1x1(channels, 3L * HIDDEN, false));
        toOutput = addChildBlock("to_output", new Conv1x1(HIDDEN, channels, true));
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        scale = NativeArrays.scalar(manager, (float) Math.pow(HEAD_DIM, -0.5));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Shape shape = inputs.head().getShape();
        long batch = shape.get(0);
        long pixels = shape.get(2) * shape.get(3);
        NDArray qkv = toQkv.forward(ps, inputs, training, params).head();
        NDList split = qkv.reshape(batch, 3L * HEADS, HEAD_DIM, pixels).split(3, 1);
        NDArray q = split.get(0).mul(scale);
        NDArray k = split.get(1);
        NDArray v = split.get(2);
        // simT[b, h, j, i] = sum_c k[c, j] q[c, i]: the softmax runs over j (axis 2), and
        // out[c, i] = sum_j v[c, j] attnT[j, i] needs no further transpose.
        NDArray attentionT = k.transpose(0, 1, 3, 2).matMul(q).softmax(2);
        NDArray out = v.matMul(attentionT).reshape(batch, HIDDEN, shape.get(2), shape.get(3));
        return toOutput.forward(ps, new NDList(out), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
