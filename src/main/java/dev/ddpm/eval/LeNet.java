package dev.ddpm.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ddpm.common.NativeArrays;

/**
 * The LeNet-style digit classifier behind {@code ddpm eval}: on a {@code [B, 1, 32, 32]} image in
 * [-1, 1] (rescaled to [0, 1], so the background is zero), conv 5x5 (32) + batch norm + ReLU +
 * max-pool 2, conv 5x5 (64) + batch norm + ReLU + max-pool 2, dense 128 + ReLU (the
 * <em>features</em> the Fréchet distance is computed on), dense 10 (the logits). Batch norm lets a
 * few cheap epochs reach 99%.
 */
public final class LeNet extends AbstractBlock {

    /**
     * Bumped whenever the layers or the training recipe change, so that a cached classifier of
     * another kind is retrained.
     */
    public static final int VERSION = 3;

    public static final int FEATURES = 128;
    public static final int CLASSES = 10;
    public static final Shape INPUT = new Shape(1, 1, 32, 32);

    private final Block features;
    private final Block logits;

    public LeNet() {
        super((byte) VERSION);
        Shape pool = new Shape(2, 2);
        features =
                addChildBlock(
                        "features",
                        new SequentialBlock()
                                .add(LeNet::toUnitRange)
                                .add(
                                        Conv2d.builder()
                                                .setKernelShape(new Shape(5, 5))
                                                .setFilters(32)
                                                .build())
                                .add(BatchNorm.builder().build())
                                .add(Activation.reluBlock())
                                .add(Pool.maxPool2dBlock(pool, pool))
                                .add(
                                        Conv2d.builder()
                                                .setKernelShape(new Shape(5, 5))
                                                .setFilters(64)
                                                .build())
                                .add(BatchNorm.builder().build())
                                .add(Activation.reluBlock())
                                .add(Pool.maxPool2dBlock(pool, pool))
                                .add(Blocks.batchFlattenBlock())
                                .add(Linear.builder().setUnits(FEATURES).build())
                                .add(Activation.reluBlock()));
        logits = addChildBlock("logits", Linear.builder().setUnits(CLASSES).build());
    }

    /**
     * {@code [-1, 1]} to {@code [0, 1]}: {@code x * 0.5 + 0.5}, with a native scalar (see {@link
     * NativeArrays}).
     */
    private static NDList toUnitRange(NDList images) {
        NDArray x = images.singletonOrThrow();
        NDArray half = NativeArrays.scalar(x.getManager(), 0.5f);
        return new NDList(x.mul(half).add(half));
    }

    /** The penultimate-layer features {@code [B, 128]} of images {@code [B, 1, 32, 32]}. */
    public NDList features(ParameterStore parameters, NDList images, boolean training) {
        return features.forward(parameters, images, training);
    }

    /** The logits {@code [B, 10]} of features computed by {@link #features}. */
    public NDList logits(ParameterStore parameters, NDList features, boolean training) {
        return logits.forward(parameters, features, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameters,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return logits(parameters, features(parameters, inputs, training), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return logits.getOutputShapes(features.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        features.initialize(manager, dataType, inputShapes);
        logits.initialize(manager, dataType, features.getOutputShapes(inputShapes));
    }
}
