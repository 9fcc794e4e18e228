package dev.ddpm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EpochOrderTest {

    @Test
    void eachEpochIsAPermutationReproducibleFromTheSeed() {
        EpochOrder order = new EpochOrder(60_000, 42);
        int[] epoch0 = order.permutation(0);
        assertArrayEquals(
                IntStream.range(0, 60_000).toArray(), Arrays.stream(epoch0).sorted().toArray());
        assertArrayEquals(epoch0, new EpochOrder(60_000, 42).permutation(0));
        assertFalse(Arrays.equals(epoch0, order.permutation(1)), "epochs differ");
        assertFalse(
                Arrays.equals(epoch0, new EpochOrder(60_000, 43).permutation(0)), "seeds differ");
        assertFalse(Arrays.equals(epoch0, IntStream.range(0, 60_000).toArray()), "shuffled");
    }

    @Test
    void positionsAreUniformlyShuffled() {
        // Over many epochs every element lands in the first half about half of the time.
        EpochOrder order = new EpochOrder(10, 7);
        int[] inFirstHalf = new int[10];
        int epochs = 4000;
        for (int e = 0; e < epochs; e++) {
            int[] p = order.permutation(e);
            for (int i = 0; i < 5; i++) {
                inFirstHalf[p[i]]++;
            }
        }
        for (int count : inFirstHalf) {
            assertEquals(0.5, count / (double) epochs, 0.04);
        }
        assertEquals(0, new EpochOrder(0, 1).permutation(3).length);
    }
}
