package dev.ddpm.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

/** A convolution whose kernel is computed from its weights (see {@link FrozenKernels}). */
interface DerivedKernel {

    /** The kernel (and bias) the convolution uses, as arrays of {@code scope}. */
    NDList kernel(ParameterStore ps, NDManager scope, boolean training);
}
