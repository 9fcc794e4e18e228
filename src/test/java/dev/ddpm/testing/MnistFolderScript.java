package dev.ddpm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the repository's {@code scripts/MnistFolders.java} as a user does. */
public final class MnistFolderScript {

    /** Exit status and output of one run. */
    public record Result(int exit, String output) {}

    private MnistFolderScript() {}

    /** MNIST's first {@code limit} images of each split as a gray image folder in {@code out}. */
    public static Path gray(Path out, int limit) throws IOException, InterruptedException {
        return write("gray", out, limit);
    }

    /** Color MNIST's first {@code limit} images of each split in {@code out}. */
    public static Path color(Path out, int limit) throws IOException, InterruptedException {
        return write("color", out, limit);
    }

    private static Path write(String kind, Path out, int limit)
            throws IOException, InterruptedException {
        Result r =
                run(
                        kind,
                        TrainingFixtures.mnistDir().toString(),
                        out.toString(),
                        "--limit",
                        Integer.toString(limit));
        assertEquals(0, r.exit(), r.output());
        return out;
    }

    /** {@code java scripts/MnistFolders.java ARGS}. */
    public static Result run(String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "scripts/MnistFolders.java"));
        command.addAll(List.of(args));
        Process script = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(script.waitFor(), output);
    }
}
