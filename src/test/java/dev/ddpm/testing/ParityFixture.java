package dev.ddpm.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.io.Safetensors;
import java.io.IOException;
import java.util.Map;

/**
 * The reference's parity fixture, read into a manager, and the relative error used to compare with
 * it.
 */
public final class ParityFixture {

    private ParityFixture() {}

    /**
     * Every tensor of {@code seed-parity-small.safetensors}; skips the test when ../shared is
     * absent.
     */
    public static Map<String, NDArray> read(NDManager manager) throws IOException {
        return Safetensors.read(SharedFixtures.parityFixture(), manager).tensors();
    }

    /** {@code ||actual - expected|| / ||expected||}, in double precision on the host. */
    public static double relativeError(NDArray actual, NDArray expected) {
        float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] b = expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        if (a.length != b.length) {
            throw new AssertionError("sizes differ: " + a.length + " vs " + b.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            norm += (double) b[i] * b[i];
        }
        return Math.sqrt(diff / norm);
    }
}
