package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ddpm.common.NativeArrays;

/**
 * {@code ConvTranspose2d(C, C, kernel 4, stride 2, padding 1)} with PyTorch's weight layout {@code
 * [in, out, 4, 4]}; doubles H and W. The PyTorch engine has none, so it is computed exactly as a
 * sub-pixel convolution:
 *
 * <p>Output pixel {@code (2y+a, 2x+b)} receives input rows {@code y-1, y} through kernel rows
 * {@code 3, 1} when {@code a = 0}, and rows {@code y, y+1} through kernel rows {@code 2, 0} when
 * {@code a = 1} (same for columns). So one 3x3 convolution (padding 1) with {@code 4 * out} output
 * channels, channel {@code 4o + 2a + b} holding phase {@code (a, b)}, computes every output pixel
 * from the same products (plus zeros), and a depth-to-space rearrangement interleaves the four
 * phases. The 3x3 kernels are gathered from the weight by a constant 0/1 matrix, so gradients reach
 * the weight.
 */
final class TransposedConv2d extends ModelBlock implements DerivedKernel {

    /**
     * Kernel row feeding phase {@code a} from 3x3 tap {@code d} (input row {@code y + d - 1}), or
     * -1.
     */
    private static final int[][] TAP = {{3, 1, -1}, {-1, 2, 0}};

    private static final Shape ONE = new Shape(1, 1);

    private final long in;
    private final long out;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * {@code [16, 36]}: kernel tap {@code ky*4+kx} to sub-pixel tap {@code ((a*2+b)*3+dy)*3+dx}.
     */
    private NDArray tapSelection;

    TransposedConv2d(long in, long out) {
        this.in = in;
        this.out = out;
        // PyTorch's fan-in of a transposed conv weight [in, out, k, k] is out * k * k.
        weight =
                parameter(
                        "weight",
                        Parameter.Type.WEIGHT,
                        new Shape(in, out, 4, 4),
                        torchDefault(out * 16));
        bias = parameter("bias", Parameter.Type.BIAS, new Shape(out), torchDefault(out * 16));
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        float[] selection = new float[16 * 36];
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                for (int dy = 0; dy < 3; dy++) {
                    for (int dx = 0; dx < 3; dx++) {
                        int ky = TAP[a][dy];
                        int kx = TAP[b][dx];
                        if (ky >= 0 && kx >= 0) {
                            selection[(ky * 4 + kx) * 36 + ((a * 2 + b) * 3 + dy) * 3 + dx] = 1;
                        }
                    }
                }
            }
        }
        tapSelection =
                NativeArrays.copyOf(manager, selection, new Shape(16, 36)).toType(dataType, false);
    }

    @Override
    public NDList kernel(ParameterStore ps, NDManager scope, boolean training) {
        NDArray w = ps.getValue(weight, scope.getDevice(), training);
        NDArray taps = scopedTo(w.reshape(in * out, 16), scope).matMul(tapSelection);
        NDArray kernel =
                taps.reshape(in, out, 2, 2, 3, 3)
                        .transpose(1, 2, 3, 0, 4, 5)
                        .reshape(4 * out, in, 3, 3);
        NDArray phaseBias =
                scopedTo(ps.getValue(bias, scope.getDevice(), training).repeat(0, 4), scope);
        return new NDList(kernel, phaseBias);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDList kernel = FrozenKernels.lookup(params, this);
        if (kernel == null) {
            kernel = kernel(ps, x.getManager(), training);
        }
        Shape s = x.getShape();
        NDArray phases =
                x.getNDArrayInternal()
                        .convolution(x, kernel.get(0), kernel.get(1), ONE, ONE, ONE, 1)
                        .head();
        NDArray y =
                phases.reshape(s.get(0), out, 2, 2, s.get(2), s.get(3))
                        .transpose(0, 1, 4, 2, 5, 3)
                        .reshape(s.get(0), out, 2 * s.get(2), 2 * s.get(3));
        return new NDList(y);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), out, 2 * x.get(2), 2 * x.get(3))};
    }
}
