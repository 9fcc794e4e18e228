package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code block2(block1(x, scale, shift)) + res_conv(x)}, where {@code (scale, shift)} is {@code
 * mlp.1} (Linear(E, 2*out)) of the activated condition split along channels, and {@code res_conv}
 * is a 1x1 conv when the channel count changes (identity otherwise).
 *
 * <p>Inputs: {@code (x, SiLU(cond))}. The reference's {@code mlp} is SiLU then Linear; the U-Net
 * applies the SiLU once for all its ResnetBlocks, since they share the condition.
 */
final class ResnetBlock extends ModelBlock {

    private final long out;
    private final FullyConnected mlp;
    private final ConvNormBlock block1;
    private final ConvNormBlock block2;
    private final Conv1x1 residual;

    ResnetBlock(long in, long out, int condDim, int groups) {
        this.out = out;
        mlp = addChildBlock("mlp.1", new FullyConnected(condDim, 2 * out));
        block1 = addChildBlock("block1", new ConvNormBlock(in, out, groups));
        block2 = addChildBlock("block2", new ConvNormBlock(out, out, groups));
        residual = in == out ? null : addChildBlock("res_conv", new Conv1x1(in, out, true));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray condition = mlp.forward(ps, new NDList(inputs.get(1)), training, params).head();
        NDList scaleShift = condition.reshape(-1, 2 * out, 1, 1).split(2, 1);
        NDList h =
                block1.forward(
                        ps, new NDList(x, scaleShift.get(0), scaleShift.get(1)), training, params);
        h = block2.forward(ps, h, training, params);
        NDArray skip =
                residual == null ? x : residual.forward(ps, new NDList(x), training, params).head();
        return new NDList(h.head().add(skip));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), out, x.get(2), x.get(3))};
    }
}
