package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 3x3 convolution (stride 1, padding 1, bias) whose weight is standardized per output channel
 * before every use: {@code (W - mean) / sqrt(var + 1e-5)} with the population variance over {@code
 * (in, 3, 3)}. The standardization is the layer-norm op over each flattened filter, so gradients
 * reach the raw weight.
 */
final class WeightStandardizedConv2d extends ModelBlock implements DerivedKernel {

    static final float EPS = 1e-5f;
    private static final Shape ONE = new Shape(1, 1);

    private final long in;
    private final long out;
    private final Shape filter;
    private final Parameter weight;
    private final Parameter bias;

    /** Unit scale and zero shift of the layer-norm op, which requires both. */
    private NDArray ones;

    private NDArray zeros;

    WeightStandardizedConv2d(long in, long out) {
        this.in = in;
        this.out = out;
        this.filter = new Shape(in * 9);
        weight =
                parameter(
                        "weight",
                        Parameter.Type.WEIGHT,
                        new Shape(out, in, 3, 3),
                        torchDefault(in * 9));
        bias = parameter("bias", Parameter.Type.BIAS, new Shape(out), torchDefault(in * 9));
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        ones = manager.ones(filter, dataType);
        zeros = manager.zeros(filter, dataType);
    }

    @Override
    public NDList kernel(ParameterStore ps, NDManager scope, boolean training) {
        NDArray w = ps.getValue(weight, scope.getDevice(), training);
        NDArray flat = scopedTo(w.reshape(out, in * 9), scope);
        NDArray standardized =
                flat.getNDArrayInternal().layerNorm(flat, filter, ones, zeros, EPS).head();
        return new NDList(
                standardized.reshape(out, in, 3, 3),
                ps.getValue(bias, scope.getDevice(), training));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDList kernel = FrozenKernels.lookup(params, this);
        if (kernel == null) {
            kernel = kernel(ps, x.getManager(), training);
        }
        return x.getNDArrayInternal()
                .convolution(x, kernel.get(0), kernel.get(1), ONE, ONE, ONE, 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), out, x.get(2), x.get(3))};
    }
}
