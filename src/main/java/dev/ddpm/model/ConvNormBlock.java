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
 * {@code proj} (weight-standardized 3x3 conv), {@code norm} (GroupNorm), then {@code h * (scale +
 * 1) + shift} when the inputs carry a scale and shift, then SiLU. Inputs: {@code x} or {@code (x,
 * scale, shift)}.
 */
final class ConvNormBlock extends ModelBlock {

    private final WeightStandardizedConv2d proj;
    private final GroupNorm norm;

    /** The 1 of {@code scale + 1}, owned by the block (see {@link NativeArrays}). */
    private NDArray one;

    ConvNormBlock(long in, long out, int groups) {
        proj = addChildBlock("proj", new WeightStandardizedConv2d(in, out));
        norm = addChildBlock("norm", new GroupNorm(groups, out));
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        one = NativeArrays.scalar(manager, 1f);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList h = proj.forward(ps, new NDList(inputs.head()), training, params);
        NDArray x = norm.forward(ps, h, training, params).head();
        if (inputs.size() == 3) {
            x = x.mul(inputs.get(1).add(one)).add(inputs.get(2));
        }
        return new NDList(silu(x));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return proj.getOutputShapes(new Shape[] {inputShapes[0]});
    }
}
