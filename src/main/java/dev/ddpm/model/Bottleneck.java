package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The lowest level: two ResnetBlocks ({@code .0}, {@code .1}) and attention ({@code .2}). Inputs
 * {@code (x, SiLU(cond))}.
 */
final class Bottleneck extends ModelBlock {

    private final ResnetBlock first;
    private final ResnetBlock second;
    private final Attention attention;

    Bottleneck(long channels, int condDim, int groups) {
        first = addChildBlock("0", new ResnetBlock(channels, channels, condDim, groups));
        second = addChildBlock("1", new ResnetBlock(channels, channels, condDim, groups));
        attention = addChildBlock("2", new Attention(channels));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray condition = inputs.get(1);
        NDList x = first.forward(ps, inputs, training, params);
        x = second.forward(ps, new NDList(x.head(), condition), training, params);
        return attention.forward(ps, x, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
