package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code proj} (weight-standardized 3x3 conv), {@code norm} (GroupNorm), then {@code h * (scale + 1) + shift}
 * when the inputs carry a scale and shift, then SiLU. Inputs: {@code x} or {@code (x, scale, shift)}.
 */
final class Block extends ModelBlock {

    private final WeightStandardizedConv2d proj;
    private final GroupNorm norm;

    Block(long in, long out, int groups) {
        proj = addChildBlock("proj", new WeightStandardizedConv2d(in, out));
        norm = addChildBlock("norm", new GroupNorm(groups, out));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList h = proj.forward(ps, new NDList(inputs.head()), training, params);
        NDArray x = norm.forward(ps, h, training, params).head();
        if (inputs.size() == 3) {
            x = x.mul(inputs.get(1).add(1)).add(inputs.get(2));
        }
        return new NDList(silu(x));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return proj.getOutputShapes(new Shape[] {inputShapes[0]});
    }
}
