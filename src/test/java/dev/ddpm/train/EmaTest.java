package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.NativeArrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The moving average and its warm-up, against values computed here in double precision. */
class EmaTest {

    private static final Ema.Warmup POWER = new Ema.Warmup(0.9999, true, 0);

    @Test
    void powerWarmUpStartsAtZeroAndReachesTheQuotedDecays() {
        assertEquals(0.0, POWER.decayAt(0), "the first update copies the weights");
        // 1 - (1 + n)^(-2/3): 1000^(-2/3) = 1/100, 10^4^(-2/3) = 0.0021544, 10^5^(-2/3) =
        // 0.00046416
        assertEquals(0.99, POWER.decayAt(999), 1e-12);
        assertEquals(0.9978456, POWER.decayAt(9_999), 1e-7);
        assertEquals(0.9995358, POWER.decayAt(99_999), 1e-7);
        double previous = -1;
        for (long n = 0; n < 100_000; n += 97) {
            assertEquals(true, POWER.decayAt(n) > previous, "rises at update " + n);
            previous = POWER.decayAt(n);
        }
    }

    @Test
    void powerWarmUpIsCappedAtTheConfiguredDecay() {
        // 1 - (1 + n)^(-2/3) passes 0.999 at 1 + n = 1000^1.5 = 31,622.8.
        Ema.Warmup capped = new Ema.Warmup(0.999, true, 0);
        assertEquals(true, capped.decayAt(31_620) < 0.999);
        assertEquals(0.999, capped.decayAt(31_622));
        assertEquals(0.999, capped.decayAt(1_000_000_000L));
        assertEquals(0.9999, POWER.decayAt(Long.MAX_VALUE / 2));
    }

    @Test
    void linearWarmUpRampsToTheDecayOverItsStepsAndWithoutStepsStartsThere() {
        Ema.Warmup linear = new Ema.Warmup(0.8, false, 100);
        assertEquals(0.0, linear.decayAt(0));
        assertEquals(0.4, linear.decayAt(50), 1e-15);
        assertEquals(0.8, linear.decayAt(100));
        assertEquals(0.8, linear.decayAt(5_000));
        assertEquals(0.8, new Ema.Warmup(0.8, false, 0).decayAt(0));
    }

    @Test
    void firstUpdateCopiesTheWeightsAndLaterOnesFollowTheFormula() {
        Random random = new Random(3);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            weights.put("a", NativeArrays.copyOf(m, gaussian(random, 6), new Shape(2, 3)));
            weights.put("b", NativeArrays.copyOf(m, gaussian(random, 5), new Shape(5)));
            Ema ema = new Ema(weights, POWER, m);
            Map<String, double[]> expected = new LinkedHashMap<>();

            for (int n = 0; n < 30; n++) {
                for (Map.Entry<String, NDArray> w : weights.entrySet()) {
                    float[] next = gaussian(random, (int) w.getValue().size());
                    NativeArrays.copyInto(
                            NativeArrays.copyOf(m, next, w.getValue().getShape()), w.getValue());
                    // d_n = 1 - (1 + n)^(-2/3) here (far below the cap): 0 for n = 0
                    double d = 1 - Math.pow(1 + n, -2.0 / 3.0);
                    double[] average =
                            expected.computeIfAbsent(w.getKey(), k -> new double[next.length]);
                    for (int i = 0; i < next.length; i++) {
                        average[i] = d * average[i] + (1 - d) * next[i];
                    }
                }
                ema.update();
                if (n == 0) {
                    weights.forEach(
                            (name, w) ->
                                    assertArrayEquals(
                                            w.toFloatArray(),
                                            ema.weights().get(name).toFloatArray(),
                                            "the first update copies " + name));
                }
                for (String name : weights.keySet()) {
                    float[] actual = ema.weights().get(name).toFloatArray();
                    for (int i = 0; i < actual.length; i++) {
                        assertEquals(
                                expected.get(name)[i],
                                actual[i],
                                1e-5,
                                name + " after update " + n);
                    }
                }
            }
            assertEquals(30, ema.updates());
        }
    }

    private static float[] gaussian(Random random, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
