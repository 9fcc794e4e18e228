package dev.ddpm.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A fully connected layer, {@code y = x W^T + b} with PyTorch's {@code [out, in]} weight. */
final class FullyConnected extends ModelBlock {

    private final long out;
    private final Parameter weight;
    private final Parameter bias;

    FullyConnected(long in, long out) {
        this.out = out;
        weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(out, in), torchDefault(in));
        bias = parameter("bias", Parameter.Type.BIAS, new Shape(out), torchDefault(in));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        var x = inputs.head();
        return x.getNDArrayInternal()
                .linear(
                        x,
                        ps.getValue(weight, x.getDevice(), training),
                        ps.getValue(bias, x.getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(out)};
    }
}
