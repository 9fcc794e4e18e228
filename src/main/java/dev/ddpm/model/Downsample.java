package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The reference's {@code down}: space-to-depth(2) (output channel {@code 4c + 2dy + dx} holds pixel
 * {@code (2y+dy, 2x+dx)} of channel {@code c}), then a 1x1 conv {@code 4C -> C} with bias ({@code
 * down.1}).
 *
 * <p>Both together are one 2x2 convolution of stride 2 whose kernel is the 1x1 weight {@code [C,
 * 4C, 1, 1]} viewed as {@code [C, C, 2, 2]} (flat index {@code 4c + 2dy + dx} is {@code
 * [c][dy][dx]}): the same sum of products, without materializing the rearranged input.
 */
final class Downsample extends ModelBlock {

    private static final Shape STRIDE = new Shape(2, 2);
    private static final Shape NO_PADDING = new Shape(0, 0);
    private static final Shape ONE = new Shape(1, 1);

    private final long channels;
    private final Parameter weight;
    private final Parameter bias;

    Downsample(long channels) {
        this.channels = channels;
        weight =
                parameter(
                        "weight",
                        Parameter.Type.WEIGHT,
                        new Shape(channels, 4 * channels, 1, 1),
                        torchDefault(4 * channels));
        bias =
                parameter(
                        "bias",
                        Parameter.Type.BIAS,
                        new Shape(channels),
                        torchDefault(4 * channels));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray kernel = scopedTo(w.reshape(channels, channels, 2, 2), x.getManager());
        return x.getNDArrayInternal()
                .convolution(
                        x,
                        kernel,
                        ps.getValue(bias, x.getDevice(), training),
                        STRIDE,
                        NO_PADDING,
                        ONE,
                        1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), channels, x.get(2) / 2, x.get(3) / 2)};
    }
}
