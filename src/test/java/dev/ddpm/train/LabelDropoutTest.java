package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.ddpm.common.NativeArrays;
import org.junit.jupiter.api.Test;

/** Label dropout for classifier-free guidance: how many labels, which value, and repeatability. */
class LabelDropoutTest {

    private static final int LABELS = 20_000;

    private static long[] digits() {
        long[] labels = new long[LABELS];
        for (int i = 0; i < LABELS; i++) {
            labels[i] = i % 10;
        }
        return labels;
    }

    private static long[] dropped(double probability, long seed) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            LabelDropout dropout = new LabelDropout(probability, m);
            JniUtils.setSeed(seed);
            return dropout.apply(NativeArrays.copyOf(m, digits())).toLongArray();
        }
    }

    @Test
    void aboutTheConfiguredShareBecomesNoLabelAndTheRestIsKept() {
        long[] original = digits();
        for (double p : new double[] {0.1, 0.5}) {
            long[] labels = dropped(p, 11);
            int none = 0;
            for (int i = 0; i < LABELS; i++) {
                if (labels[i] == LabelDropout.NO_LABEL) {
                    none++;
                } else {
                    assertEquals(original[i], labels[i], "a kept label is unchanged");
                }
            }
            // Binomial(20,000, p): 5 standard deviations are at most 0.018.
            double share = none / (double) LABELS;
            assertEquals(
                    p, share, 5 * Math.sqrt(p * (1 - p) / LABELS), "dropped share at p = " + p);
        }
    }

    @Test
    void zeroDropsNothingAndOneDropsEverything() {
        assertArrayEquals(digits(), dropped(0, 11));
        long[] all = dropped(1, 11);
        for (long label : all) {
            assertEquals(LabelDropout.NO_LABEL, label);
        }
    }

    @Test
    void theSameSeedDropsTheSameLabelsAndAnotherSeedOthers() {
        assertArrayEquals(dropped(0.3, 5), dropped(0.3, 5));
        assertFalse(java.util.Arrays.equals(dropped(0.3, 5), dropped(0.3, 6)));
    }
}
