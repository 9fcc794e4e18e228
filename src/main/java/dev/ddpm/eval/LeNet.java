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
 * The LeNet-style classifier behind {@code ddpm eval}: on a {@code [B, C, S, S]} image in [-1, 1]
 * (rescaled to [0, 1], so a black background is zero), conv 5x5 (32) + batch norm + ReLU + max-pool
 * 2, conv 5x5 (64) + batch norm + ReLU + max-pool 2, dense 128 + ReLU (the <em>features</em> the
 * Fréchet distance is computed on), dense to the classes (the logits). Batch norm lets a few cheap
 * epochs reach 99% on MNIST ({@code C = 1, S = 32}, 10 classes). The channels and the size only
 * change the first convolution's inputs and the first dense layer's; images need at least {@value
 * #MIN_SIZE} pixels a side.
 */
public final class LeNet extends AbstractBlock {

    /**
     * Bumped whenever the layers or the training recipe change, so that a cached classifier of
     * another kind is retrained.
     */
    public static final int VERSION = 3;

    public static final int FEATURES = 128;

    /** The smallest image side both convolutions and poolings fit in. */
    public static final int MIN_SIZE = 16;

    private final Shape input;
    private final int classes;
    private final Block features;
    private final Block logits;

    /** A classifier of {@code classes} classes for images of {@code channels x size x size}. */
    public LeNet(int channels, int size, int classes) {
        super((byte) VERSION);
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException(
                    "the classifier needs images of at least " + MIN_SIZE + " pixels, got " + size);
        }
        this.input = new Shape(1, channels, size, size);
        this.classes = classes;
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
        logits = addChildBlock("logits", Linear.builder().setUnits(classes).build());
    }

    /** The shape of one input image as a batch, {@code [1, C, S, S]}. */
    public Shape inputShape() {
        return input;
    }

    public int classes() {
        return classes;
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

    /** The penultimate-layer features {@code [B, 128]} of images {@code [B, C, S, S]}. */
    public NDList features(ParameterStore parameters, NDList images, boolean training) {
        return features.forward(parameters, images, training);
    }

    /** The logits {@code [B, classes]} of features computed by {@link #features}. */
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
