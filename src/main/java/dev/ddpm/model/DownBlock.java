package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One encoder level: {@code block1}, {@code block2} (ResnetBlocks), {@code attn} if the level has
 * attention, then {@code down}. Inputs {@code (x, SiLU(cond))}; outputs {@code (downsampled,
 * skip)}.
 */
final class DownBlock extends ModelBlock {

    private final ResnetBlock block1;
    private final ResnetBlock block2;
    private final Attention attention;
    private final Downsample down;

    DownBlock(long in, long out, boolean withAttention, int condDim, int groups) {
        block1 = addChildBlock("block1", new ResnetBlock(in, out, condDim, groups));
        block2 = addChildBlock("block2", new ResnetBlock(out, out, condDim, groups));
        attention = withAttention ? addChildBlock("attn", new Attention(out)) : null;
        down = addChildBlock("down.1", new Downsample(out));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray condition = inputs.get(1);
        NDList x = block1.forward(ps, inputs, training, params);
        x = block2.forward(ps, new NDList(x.head(), condition), training, params);
        if (attention != null) {
            x = attention.forward(ps, x, training, params);
        }
        NDArray skip = x.head();
        return new NDList(down.forward(ps, x, training, params).head(), skip);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape skip = block1.getOutputShapes(inputShapes)[0];
        return new Shape[] {down.getOutputShapes(new Shape[] {skip})[0], skip};
    }
}
