package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.NativeArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Clipping by the global norm, against norms and scales computed here in double precision. */
class GradientClippingTest {

    /** The epsilon {@code clip_grad_norm_} adds to the norm. */
    private static final double EPSILON = 1e-6;

    @Test
    void aNormOfThirteenClippedToSixAndAHalfHalvesEveryGradient() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // 3-4-12: the global norm is sqrt(9 + 16 + 144) = 13 exactly.
            NDArray a = NativeArrays.copyOf(m, new float[] {3, 4}, new Shape(2));
            NDArray b = NativeArrays.copyOf(m, new float[] {12}, new Shape(1, 1));
            new GradientClipping(6.5f, m).clipGlobalNorm(List.of(a, b));
            double scale = 6.5 / (13 + EPSILON);
            assertArrayEquals(
                    new float[] {(float) (3 * scale), (float) (4 * scale)},
                    a.toFloatArray(),
                    1e-6f);
            assertArrayEquals(new float[] {(float) (12 * scale)}, b.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void gradientsBelowTheBoundStayExactlyAsTheyWere() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[] values = {3, -4, 0.25f};
            NDArray g = NativeArrays.copyOf(m, values, new Shape(3));
            new GradientClipping(5.1f, m).clipGlobalNorm(List.of(g));
            assertArrayEquals(values, g.toFloatArray());
        }
    }

    @Test
    void manyGradientsEndWithTheGlobalNormAtTheBoundAndTheirDirectionsKept() {
        Random random = new Random(7);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            List<float[]> before = new ArrayList<>();
            List<NDArray> gradients = new ArrayList<>();
            double squares = 0;
            for (int size : new int[] {1, 17, 300, 4096}) {
                float[] v = new float[size];
                for (int i = 0; i < size; i++) {
                    v[i] = (float) (random.nextGaussian() * 3);
                    squares += (double) v[i] * v[i];
                }
                before.add(v);
                gradients.add(NativeArrays.copyOf(m, v, new Shape(size)));
            }
            double norm = Math.sqrt(squares);
            double bound = 1.0;
            new GradientClipping((float) bound, m).clipGlobalNorm(gradients);

            double scale = bound / (norm + EPSILON);
            double clippedSquares = 0;
            for (int k = 0; k < gradients.size(); k++) {
                float[] after = gradients.get(k).toFloatArray();
                for (int i = 0; i < after.length; i++) {
                    assertEquals(
                            before.get(k)[i] * scale,
                            after[i],
                            1e-6 * Math.abs(before.get(k)[i] * scale) + 1e-9);
                    clippedSquares += (double) after[i] * after[i];
                }
            }
            assertEquals(bound / (1 + EPSILON / norm), Math.sqrt(clippedSquares), 1e-5);
        }
    }
}
