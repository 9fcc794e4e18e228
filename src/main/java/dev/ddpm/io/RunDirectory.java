package dev.ddpm.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder of one training run, {@code checkpoints/<run-name>/}:
 * <pre>
 *   config.json                      effective configuration
 *   train.log                        log of every session of the run
 *   metrics.jsonl                    one JSON object per logged step
 *   loss.png                         loss curve, redrawn as training goes
 *   samples/step-00001000.png        grids of all ten digits (EMA weights, fixed seed)
 *   step-00001000.safetensors        checkpoints (see {@link Checkpoint}), the last K kept
 * </pre>
 * Also finds checkpoints from what a user types: a file, a run folder, a run name, or {@code latest}.
 */
public record RunDirectory(Path root) {

    private static final Pattern CHECKPOINT = Pattern.compile("step-(\\d+)\\.safetensors");

    public Path config() {
        return root.resolve("config.json");
    }

    public Path log() {
        return root.resolve("train.log");
    }

    public Path metrics() {
        return root.resolve("metrics.jsonl");
    }

    public Path lossPlot() {
        return root.resolve("loss.png");
    }

    public Path samples() {
        return root.resolve("samples");
    }

    public Path checkpoint(long step) {
        return root.resolve(String.format("step-%08d.safetensors", step));
    }

    /** This run's checkpoints, oldest first. */
    public List<Path> checkpoints() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(RunDirectory::stepOf))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Path> latestCheckpoint() {
        List<Path> all = checkpoints();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    static long stepOf(Path checkpoint) {
        Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Resolves {@code spec} (null or {@code latest}, a checkpoint file, a run folder, or a run name under
     * {@code checkpointsRoot}) to a checkpoint file.
     *
     * @throws NoCheckpointException when nothing matches, with what to do about it
     */
    public static Path resolveCheckpoint(String spec, Path checkpointsRoot) {
        if (spec == null || spec.equals("latest")) {
            return latestRun(checkpointsRoot).flatMap(RunDirectory::latestCheckpoint)
                    .orElseThrow(() -> new NoCheckpointException("no checkpoint under " + checkpointsRoot
                            + "/ yet: train one with './ddpm train --config config/quick.json' or import"
                            + " reference weights with './ddpm import --from weights.safetensors'"));
        }
        Path path = Path.of(spec);
        if (Files.isRegularFile(path)) {
            return path;
        }
        Path dir = Files.isDirectory(path) ? path : checkpointsRoot.resolve(spec);
        if (Files.isDirectory(dir)) {
            return new RunDirectory(dir).latestCheckpoint()
                    .orElseThrow(() -> new NoCheckpointException("run folder " + dir + " holds no checkpoint"
                            + " (step-*.safetensors) yet"));
        }
        throw new NoCheckpointException("checkpoint '" + spec + "' not found: give a .safetensors file, a run"
                + " folder, a run name under " + checkpointsRoot + "/, or 'latest'");
    }

    /** The run under {@code checkpointsRoot} whose newest checkpoint was written last. */
    public static Optional<RunDirectory> latestRun(Path checkpointsRoot) {
        if (!Files.isDirectory(checkpointsRoot)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(checkpointsRoot)) {
            return dirs.filter(Files::isDirectory)
                    .map(RunDirectory::new)
                    .filter(r -> r.latestCheckpoint().isPresent())
                    .max(Comparator.comparing(r -> modified(r.latestCheckpoint().get())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** No checkpoint where the user pointed; the message says how to get one. */
    public static class NoCheckpointException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NoCheckpointException(String message) {
            super(message);
        }
    }
}
