package dev.ddpm.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.io.Safetensors;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The reference's parity fixtures: weights, inputs and outputs computed by the Python reference
 * itself (docs/architecture.md, "Parity fixtures"). Both hold the same tensor names for a model of
 * depth 2 with attention on level 0, so they exercise the same code paths at two sizes.
 */
public enum ParityFixture {

    /**
     * Base 16 channels, time embedding 16 (233,393 parameters, 1.1 MB): a test resource, so parity
     * is checked in every clone.
     */
    TINY(new ModelConfig(16, 2, 16, 10, 1, 32, List.of(0), 8), 233_393L),

    /**
     * Base 64 channels, time embedding 32 (3,206,369 parameters, 13 MB): in {@code ../shared}, CI's
     * extra check; tests that use it skip with the reason where it is absent.
     */
    SMALL(new ModelConfig(32, 2, 64, 10, 1, 32, List.of(0), 8), 3_206_369L);

    private final ModelConfig model;
    private final long parameters;

    ParityFixture(ModelConfig model, long parameters) {
        this.model = model;
        this.parameters = parameters;
    }

    /** The configuration of the fixture's model. */
    public ModelConfig model() {
        return model;
    }

    /** The parameter count the reference reports for the fixture's model. */
    public long parameters() {
        return parameters;
    }

    /** The fixture's file; skips the test when it is absent (SMALL without ../shared). */
    public Path file() {
        return switch (this) {
            case TINY -> resource("/fixtures/seed-parity-tiny.safetensors");
            case SMALL -> SharedFixtures.require("fixtures/seed-parity-small.safetensors");
        };
    }

    /** Every tensor of the fixture, read into {@code manager}; skips as {@link #file()}. */
    public Map<String, NDArray> read(NDManager manager) throws IOException {
        return Safetensors.read(file(), manager).tensors();
    }

    private static Path resource(String name) {
        URL url = ParityFixture.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException(name + " is missing from the test resources");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
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
