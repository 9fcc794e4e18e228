package dev.ddpm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the repository's {@code scripts/MnistFolders.java} as a user does. */
public final class MnistFolderScript {

    private MnistFolderScript() {}

    /** MNIST's first {@code limit} images of each split as a gray image folder in {@code out}. */
    public static Path gray(Path out, int limit) throws IOException, InterruptedException {
        Process script =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "scripts/MnistFolders.java",
                                "gray",
                                TrainingFixtures.mnistDir().toString(),
                                out.toString(),
                                "--limit",
                                Integer.toString(limit))
                        .redirectErrorStream(true)
                        .start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, script.waitFor(), output);
        return out;
    }
}
