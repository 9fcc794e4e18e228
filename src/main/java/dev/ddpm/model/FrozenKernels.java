package dev.ddpm.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.util.PairList;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Convolution kernels derived from fixed weights (standardized or rearranged once instead of at
 * every forward pass), handed to the blocks through the {@code params} argument of {@code forward}.
 */
final class FrozenKernels {

    private static final String KEY = "ddpm.frozenKernels";

    private final Map<Block, NDList> kernels = new IdentityHashMap<>();

    void put(Block block, NDList kernel) {
        kernels.put(block, kernel);
    }

    PairList<String, Object> asParams() {
        PairList<String, Object> params = new PairList<>();
        params.add(KEY, this);
        return params;
    }

    /** The precomputed kernel of {@code block}, or null when the weights are live. */
    static NDList lookup(PairList<String, Object> params, Block block) {
        Object frozen = params == null ? null : params.get(KEY);
        return frozen == null ? null : ((FrozenKernels) frozen).kernels.get(block);
    }
}
