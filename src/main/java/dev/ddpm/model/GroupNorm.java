package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Group normalization (eps 1e-5) with a per-channel affine weight and bias, as {@code
 * torch.nn.GroupNorm}.
 *
 * <p>The PyTorch engine has no group-norm op, so: the layer-norm op normalizes each sample's group
 * (a reshape to {@code [B, G, C/G*H*W]}), then the batch-norm op in inference mode with mean 0,
 * variance 1 and eps 0 applies {@code x * weight + bias} per channel in one fused op, using the
 * {@code [C]} parameters as they are.
 */
final class GroupNorm extends ModelBlock {

    static final float EPS = 1e-5f;

    private final int groups;
    private final long channels;
    private final Parameter weight;
    private final Parameter bias;
    private NDArray zeroMean;
    private NDArray unitVariance;

    /** Unit scale and zero shift for the layer-norm op, per group size (they depend on H and W). */
    private final Map<Long, NDList> identityAffine = new ConcurrentHashMap<>();

    GroupNorm(int groups, long channels) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(
                    groups + " groups do not divide " + channels + " channels");
        }
        this.groups = groups;
        this.channels = channels;
        weight = parameter("weight", Parameter.Type.GAMMA, new Shape(channels), Initializer.ONES);
        bias = parameter("bias", Parameter.Type.BETA, new Shape(channels), Initializer.ZEROS);
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        zeroMean = manager.zeros(new Shape(channels), dataType);
        unitVariance = manager.ones(new Shape(channels), dataType);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        Shape shape = x.getShape();
        long groupSize = shape.size() / shape.get(0) / groups;
        NDList affine =
                identityAffine.computeIfAbsent(
                        groupSize,
                        n -> {
                            NDManager constants = zeroMean.getManager();
                            return new NDList(
                                    constants.ones(new Shape(n), x.getDataType()),
                                    constants.zeros(new Shape(n), x.getDataType()));
                        });
        NDArray grouped = x.reshape(shape.get(0), groups, groupSize);
        NDArray normalized =
                grouped.getNDArrayInternal()
                        .layerNorm(grouped, new Shape(groupSize), affine.get(0), affine.get(1), EPS)
                        .head()
                        .reshape(shape);
        return normalized
                .getNDArrayInternal()
                .batchNorm(
                        normalized,
                        zeroMean,
                        unitVariance,
                        ps.getValue(weight, x.getDevice(), training),
                        ps.getValue(bias, x.getDevice(), training),
                        1,
                        0f,
                        0f,
                        false);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
