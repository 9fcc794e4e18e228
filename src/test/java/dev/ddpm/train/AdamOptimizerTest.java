package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamOptimizerTest {

    private static final double LR = 0.01;
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;
    private static final float[] START = {0.5f, -1.25f, 2f, 1e-3f};
    private static final double[] SCALE = {1, 3, -0.5, 100};

    /**
     * Loss sum(scale * w^3): the gradient changes every step, so moments and corrections all
     * matter.
     */
    private static NDArray gradientStep(NDManager m, NDArray w) {
        try (NDManager step = m.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray scale = step.create(toFloat(SCALE));
            gc.backward(scale.mul(w.pow(3)).sum());
        }
        return w.getGradient();
    }

    @Test
    void matchesTorchAdamFormulasComputedByHand() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray w = m.create(START.clone());
            w.setRequiresGradient(true);
            AdamOptimizer adam = new AdamOptimizer(Map.of("w", w), B1, B2, EPS, m);

            double[] ref = new double[START.length];
            double[] mean = new double[START.length];
            double[] var = new double[START.length];
            for (int i = 0; i < ref.length; i++) {
                ref[i] = START[i];
            }
            for (int t = 1; t <= 5; t++) {
                NDArray gradient = gradientStep(m, w);
                float[] grad = gradient.toFloatArray();
                adam.step(List.of(gradient), LR);
                for (int i = 0; i < ref.length; i++) {
                    double g = grad[i];
                    mean[i] = B1 * mean[i] + (1 - B1) * g;
                    var[i] = B2 * var[i] + (1 - B2) * g * g;
                    double mHat = mean[i] / (1 - Math.pow(B1, t));
                    double vHat = var[i] / (1 - Math.pow(B2, t));
                    ref[i] -= LR * mHat / (Math.sqrt(vHat) + EPS);
                }
                float[] got = w.toFloatArray();
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(
                            ref[i],
                            got[i],
                            1e-6 + 1e-5 * Math.abs(ref[i]),
                            "step " + t + " element " + i);
                }
                assertArrayEquals(
                        new float[START.length],
                        w.getGradient().toFloatArray(),
                        "gradient cleared");
            }
            assertEquals(5, adam.steps());
            float[] savedMean = adam.state().get("m.w").toFloatArray();
            for (int i = 0; i < ref.length; i++) {
                assertEquals(mean[i], savedMean[i], 1e-5 * Math.abs(mean[i]) + 1e-9);
            }
        }
    }

    @Test
    void restoredStateContinuesIdentically() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray a = m.create(START.clone());
            a.setRequiresGradient(true);
            AdamOptimizer first = new AdamOptimizer(Map.of("w", a), B1, B2, EPS, m);
            for (int t = 0; t < 3; t++) {
                first.step(List.of(gradientStep(m, a)), LR);
            }
            NDArray b = m.create(a.toFloatArray());
            b.setRequiresGradient(true);
            AdamOptimizer second = new AdamOptimizer(Map.of("w", b), B1, B2, EPS, m);
            Map<String, NDArray> saved = new LinkedHashMap<>();
            first.state().forEach((k, v) -> saved.put(k, v.duplicate()));
            second.load(saved, first.steps());
            for (int t = 0; t < 3; t++) {
                first.step(List.of(gradientStep(m, a)), LR);
                second.step(List.of(gradientStep(m, b)), LR);
            }
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        }
    }

    @Test
    void mismatchedStateNamesEveryProblem() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray w = m.create(START.clone());
            AdamOptimizer adam = new AdamOptimizer(Map.of("w", w), B1, B2, EPS, m);
            Map<String, NDArray> bad =
                    Map.of(
                            "m.w",
                            m.zeros(new ai.djl.ndarray.types.Shape(3)),
                            "v.x",
                            m.zeros(new ai.djl.ndarray.types.Shape(4)));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> adam.load(bad, 1));
            assertTrue(e.getMessage().contains("m.w (shape"), e.getMessage());
            assertTrue(e.getMessage().contains("v.w (missing)"), e.getMessage());
            assertTrue(e.getMessage().contains("v.x (unknown)"), e.getMessage());
        }
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
