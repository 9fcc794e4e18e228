package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ddpm.common.NativeArrays;

/**
 * The timestep embedding {@code time_mlp}: the sinusoidal embedding of {@code t} with interleaved
 * sin/cos ({@code emb[2j] = sin(t / f_j)}, {@code emb[2j+1] = cos(t / f_j)}, {@code f_j =
 * 10000^(2j/E)}), then Linear(E, 4E) ({@code time_mlp.1}), exact GELU, Linear(4E, E) ({@code
 * time_mlp.3}).
 */
final class TimeEmbedding extends ModelBlock {

    private final int dim;
    private final FullyConnected hidden;
    private final FullyConnected output;

    /** {@code f_j}, built once. */
    private NDArray frequencies;

    TimeEmbedding(int dim) {
        this.dim = dim;
        hidden = addChildBlock("1", new FullyConnected(dim, 4L * dim));
        output = addChildBlock("3", new FullyConnected(4L * dim, dim));
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        float[] f = new float[dim / 2];
        for (int j = 0; j < f.length; j++) {
            f[j] = (float) Math.pow(10000, (float) (2 * j) / dim);
        }
        frequencies = NativeArrays.copyOf(manager, f, new Shape(f.length));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray t = inputs.head();
        long batch = t.getShape().get(0);
        NDArray angles = t.toType(DataType.FLOAT32, false).reshape(batch, 1).div(frequencies);
        NDArray embedding =
                NDArrays.stack(new NDList(angles.sin(), angles.cos()), 2).reshape(batch, dim);
        NDArray h = hidden.forward(ps, new NDList(embedding), training).head();
        h = h.getNDArrayInternal().gelu();
        return output.forward(ps, new NDList(h), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), dim)};
    }
}
