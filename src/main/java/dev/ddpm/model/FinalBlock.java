package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Two ResnetBlocks ({@code .0}, {@code .1}) and a 1x1 conv to the image channels ({@code .2}).
 * Inputs {@code (x, SiLU(cond))}.
 */
final class FinalBlock extends ModelBlock {

    private final ResnetBlock first;
    private final ResnetBlock second;
    private final Conv1x1 toImage;

    FinalBlock(long channels, long imageChannels, int condDim, int groups) {
        first = addChildBlock("0", new ResnetBlock(channels, channels, condDim, groups));
        second = addChildBlock("1", new ResnetBlock(channels, channels, condDim, groups));
        toImage = addChildBlock("2", new Conv1x1(channels, imageChannels, true));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray condition = inputs.get(1);
        NDList x = first.forward(ps, inputs, training, params);
        x = second.forward(ps, new NDList(x.head(), condition), training, params);
        return toImage.forward(ps, x, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return toImage.getOutputShapes(inputShapes);
    }
}
