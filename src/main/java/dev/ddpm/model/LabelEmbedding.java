package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * The class embedding {@code label_emb} ({@code [K, E]}, initialized N(0, 1) as {@code
 * nn.Embedding}). A negative label means "no label" and embeds to zeros: the lookup is a one-hot
 * product, and a negative label's one-hot row is all zeros.
 */
final class LabelEmbedding extends ModelBlock {

    private final int classes;
    private final int dim;
    private final Parameter weight;

    /** {@code [[0, 1, ..., K-1]]}, built once. */
    private NDArray classIds;

    LabelEmbedding(int classes, int dim) {
        this.classes = classes;
        this.dim = dim;
        weight =
                parameter(
                        "weight",
                        Parameter.Type.WEIGHT,
                        new Shape(classes, dim),
                        new NormalInitializer(1f));
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        classIds = manager.arange(0, classes, 1, DataType.INT64).reshape(1, classes);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray labels = inputs.head();
        NDArray oneHot = labels.reshape(-1, 1).eq(classIds).toType(DataType.FLOAT32, false);
        return new NDList(oneHot.matMul(ps.getValue(weight, labels.getDevice(), training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), dim)};
    }
}
