package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A 1x1 convolution (a per-pixel linear map of the channels), with or without bias. */
final class Conv1x1 extends ModelBlock {

    private static final Shape ONE = new Shape(1, 1);
    private static final Shape ZERO = new Shape(0, 0);

    private final long out;
    private final Parameter weight;
    private final Parameter bias;

    Conv1x1(long in, long out, boolean withBias) {
        this.out = out;
        weight =
                parameter(
                        "weight",
                        Parameter.Type.WEIGHT,
                        new Shape(out, in, 1, 1),
                        torchDefault(in));
        bias =
                withBias
                        ? parameter("bias", Parameter.Type.BIAS, new Shape(out), torchDefault(in))
                        : null;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        return x.getNDArrayInternal()
                .convolution(x, ps.getValue(weight, x.getDevice(), training), b, ONE, ZERO, ONE, 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), out, in.get(2), in.get(3))};
    }
}
