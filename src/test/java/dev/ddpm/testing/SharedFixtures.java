package dev.ddpm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The read-only material next to the repository in CI ({@code ../shared}): the larger parity
 * fixture. Absent in a user's clone, so tests that need it skip with a reason. (MNIST comes from
 * the repository's own {@code data/mnist}, see {@link TrainingFixtures}; the tiny parity fixture
 * from the test resources, see {@link ParityFixture}.)
 */
public final class SharedFixtures {

    private SharedFixtures() {}

    /**
     * The shared folder (system property {@code ddpm.shared}, set by the build, else {@code
     * ../shared}).
     */
    private static Path root() {
        return Path.of(System.getProperty("ddpm.shared", "../shared")).toAbsolutePath().normalize();
    }

    /** {@code relative} under the shared folder, or skips the test when it is absent. */
    static Path require(String relative) {
        Path p = root().resolve(relative);
        assumeTrue(
                Files.exists(p),
                () ->
                        p
                                + " is absent (no ../shared next to the repository): this check"
                                + " needs CI's larger fixture; the same check on the tiny fixture"
                                + " runs everywhere");
        return p;
    }
}
