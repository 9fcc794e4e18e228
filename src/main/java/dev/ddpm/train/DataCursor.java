package dev.ddpm.train;

import dev.ddpm.data.EpochOrder;
import java.util.Arrays;

/**
 * Where training stands in the data: the epoch, the batch within it, and the images of the next
 * batch in the epoch's own shuffled order. The last batch of an epoch may be smaller.
 */
final class DataCursor {

    private final EpochOrder order;
    private final int batchSize;
    private final int batches;
    private int epoch;
    private int batchInEpoch;
    private int[] permutation;
    private int permutationEpoch = -1;

    DataCursor(int images, int batchSize, long seed) {
        this.order = new EpochOrder(images, seed);
        this.batchSize = batchSize;
        this.batches = (images + batchSize - 1) / batchSize;
    }

    /** The image indices of the next batch. */
    int[] batch() {
        if (permutationEpoch != epoch) {
            permutation = order.permutation(epoch);
            permutationEpoch = epoch;
        }
        int from = batchInEpoch * batchSize;
        return Arrays.copyOfRange(permutation, from, Math.min(from + batchSize, order.size()));
    }

    /** Moves past the batch; true when that ended the epoch. */
    boolean advance() {
        if (++batchInEpoch < batches) {
            return false;
        }
        epoch++;
        batchInEpoch = 0;
        return true;
    }

    void moveTo(int epoch, int batchInEpoch) {
        if (batchInEpoch < 0 || batchInEpoch >= batches) {
            throw new IllegalArgumentException(
                    "batch " + batchInEpoch + " outside an epoch of " + batches);
        }
        this.epoch = epoch;
        this.batchInEpoch = batchInEpoch;
    }

    int epoch() {
        return epoch;
    }

    int batchInEpoch() {
        return batchInEpoch;
    }

    int batchesPerEpoch() {
        return batches;
    }

    int images() {
        return order.size();
    }
}
