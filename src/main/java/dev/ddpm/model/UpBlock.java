package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One decoder level: {@code upconv} (transposed conv doubling H and W), concatenation with the
 * level's skip (upsampled first), {@code block1}, {@code block2} (ResnetBlocks), {@code attn} if
 * the level has attention. Inputs {@code (x, skip, SiLU(cond))}.
 */
final class UpBlock extends ModelBlock {

    private final TransposedConv2d upconv;
    private final ResnetBlock block1;
    private final ResnetBlock block2;
    private final Attention attention;

    UpBlock(long in, long skip, long out, boolean withAttention, int condDim, int groups) {
        upconv = addChildBlock("upconv", new TransposedConv2d(in, in));
        block1 = addChildBlock("block1", new ResnetBlock(in + skip, out, condDim, groups));
        block2 = addChildBlock("block2", new ResnetBlock(out, out, condDim, groups));
        attention = withAttention ? addChildBlock("attn", new Attention(out)) : null;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray condition = inputs.get(2);
        NDArray up = upconv.forward(ps, new NDList(inputs.get(0)), training, params).head();
        NDArray x = up.concat(inputs.get(1), 1);
        NDList h = block1.forward(ps, new NDList(x, condition), training, params);
        h = block2.forward(ps, new NDList(h.head(), condition), training, params);
        return attention == null ? h : attention.forward(ps, h, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape up = upconv.getOutputShapes(new Shape[] {inputShapes[0]})[0];
        return block2.getOutputShapes(new Shape[] {up, inputShapes[2]});
    }
}
