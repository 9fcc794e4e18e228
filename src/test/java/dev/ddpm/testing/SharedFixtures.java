package dev.ddpm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The read-only material next to the repository ({@code ../shared}): the reference's parity
 * fixture. Absent in a user's clone, so tests that need it skip with a reason. (MNIST comes from
 * the repository's own {@code data/mnist}, see {@link TrainingFixtures}.)
 */
public final class SharedFixtures {

    private SharedFixtures() {}

    /**
     * The shared folder (system property {@code ddpm.shared}, set by the build, else {@code
     * ../shared}).
     */
    public static Path root() {
        return Path.of(System.getProperty("ddpm.shared", "../shared")).toAbsolutePath().normalize();
    }

    /** {@code fixtures/seed-parity-small.safetensors}, or skips the test when it is absent. */
    public static Path parityFixture() {
        return require(root().resolve("fixtures/seed-parity-small.safetensors"));
    }

    private static Path require(Path p) {
        assumeTrue(
                Files.exists(p),
                () ->
                        p
                                + " is absent (no ../shared next to the repository):"
                                + " this test needs the reference's material and runs in CI");
        return p;
    }
}
