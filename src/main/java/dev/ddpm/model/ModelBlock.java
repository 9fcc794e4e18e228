package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;

/**
 * Base of the U-Net's blocks. Every parameter gets its full shape in the constructor, so a block
 * initializes its children without shape inference, and its child and parameter names are the
 * reference's {@code state_dict} names (see {@link UNet#namedParameters()}).
 */
abstract class ModelBlock extends AbstractBlock {

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block child : getChildren().values()) {
            child.initialize(manager, dataType);
        }
    }

    /** Registers a parameter of a fixed shape. */
    protected final Parameter parameter(
            String name, Parameter.Type type, Shape shape, Initializer init) {
        return addParameter(
                Parameter.builder()
                        .setName(name)
                        .setType(type)
                        .optShape(shape)
                        .optInitializer(init)
                        .build());
    }

    /**
     * PyTorch's default initialization of Linear and Conv layers (weights and biases): uniform in
     * {@code +-1/sqrt(fanIn)}.
     */
    static Initializer torchDefault(long fanIn) {
        return new UniformInitializer((float) (1.0 / Math.sqrt(fanIn)));
    }

    /**
     * Moves an array computed from a parameter to {@code scope}, normally the manager of the step's
     * activations. Results belong to the manager of their first operand, which for a parameter is
     * the model's own manager: without this, every step would leave the array there.
     */
    static NDArray scopedTo(NDArray derivedFromParameter, NDManager scope) {
        derivedFromParameter.attach(scope);
        return derivedFromParameter;
    }

    /** {@code x * sigmoid(x)}. */
    static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }
}
