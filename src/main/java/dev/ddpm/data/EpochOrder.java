package dev.ddpm.data;

import dev.ddpm.common.Seeds;
import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the dataset: a Fisher-Yates shuffle drawn from a generator
 * seeded by the run's seed and the epoch, so every epoch has its own order and a resumed run
 * repeats it exactly.
 */
public final class EpochOrder {

    private final int size;
    private final long seed;

    public EpochOrder(int size, long seed) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        this.size = size;
        this.seed = seed;
    }

    public int size() {
        return size;
    }

    /** A permutation of {@code 0 .. size-1}, the same for the same seed and epoch. */
    public int[] permutation(int epoch) {
        SplittableRandom random =
                new SplittableRandom(Seeds.scramble(seed + Seeds.GOLDEN_GAMMA * (epoch + 1L)));
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
