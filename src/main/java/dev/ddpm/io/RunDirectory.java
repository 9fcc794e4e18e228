package dev.ddpm.io;

import dev.ddpm.common.UserException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder of one training run, {@code checkpoints/<run-name>/}:
 *
 * <pre>
 *   config.json                      effective configuration
 *   train.log                        log of every session of the run
 *   metrics.jsonl                    one JSON object per logged step
 *   loss.png                         loss curve, redrawn as training goes
 *   samples/step-00001000.png        grids of all ten digits (EMA weights, fixed seed)
 *   step-00001000.safetensors        checkpoints (see {@link Checkpoint}), the last K kept
 *   best.safetensors, best.json      the best checkpoint by the in-training evaluations
 *   quality/step-00001000.png        the images of an in-training evaluation, misjudged ones marked
 *   report.html                      the run at a glance, refreshed at every checkpoint
 *   .lock                            held by the process training the run
 * </pre>
 *
 * Also finds checkpoints from what a user types: a file, a run folder, a run name, or {@code
 * latest}, each optionally followed by {@value #BEST_SUFFIX} for the run's best checkpoint. The run
 * {@value #PRETRAINED} is the model that ships with ddpm: {@code latest} falls back to it while the
 * user has no run of their own.
 */
public record RunDirectory(Path root) {

    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);
    private static final Pattern CHECKPOINT = Pattern.compile("step-(\\d+)\\.safetensors");
    private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** Temporary files of interrupted atomic writes ({@link AtomicFiles}). */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.tmp");

    /** After a run, names its best checkpoint instead of its newest: {@code quick:best}. */
    public static final String BEST_SUFFIX = ":best";

    /** The run folder of the shipped model. */
    public static final String PRETRAINED = "pretrained";

    /** Folders under the checkpoints root that are not the user's runs. */
    private static final List<String> RESERVED = List.of(PRETRAINED, "classifier");

    /**
     * The folder of run {@code name} under {@code checkpointsRoot}; the name must be a plain folder
     * name that is not reserved.
     */
    public static RunDirectory named(Path checkpointsRoot, String name) {
        if (!RUN_NAME.matcher(name).matches() || RESERVED.contains(name)) {
            throw new UserException(
                    "run name '"
                            + name
                            + "' is not allowed: use letters, digits, '.', '_' and '-'"
                            + " (starting with a letter or digit, at most 100), not "
                            + String.join(" or ", RESERVED));
        }
        return new RunDirectory(checkpointsRoot.resolve(name));
    }

    /**
     * Takes the run's lock for this process (released when closed or when the process ends, even
     * killed), so that two trainings never write into one run; another holder is a {@link
     * UserException}.
     */
    public Closeable lock() throws IOException {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new UserException(
                    "run folder " + root + " is a file; move it away or pick another --run name");
        }
        AtomicFiles.createFolders(root);
        requireKinds();
        Path file = lockFile();
        FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
            lock = null;
        }
        if (lock == null) {
            String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
            channel.close();
            throw new UserException(
                    "run folder "
                            + root
                            + " is in use by another ddpm process"
                            + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                            + "; wait for it to finish or pick another"
                            + " --run name");
        }
        channel.truncate(0);
        channel.write(
                java.nio.ByteBuffer.wrap(
                        Long.toString(ProcessHandle.current().pid())
                                .getBytes(StandardCharsets.UTF_8)));
        FileLock held = lock;
        return () -> {
            held.release();
            channel.close();
        };
    }

    /**
     * Refuses a run whose files are of the wrong kind (a folder where a file goes, a device or a
     * pipe, a file where its samples folder goes) before training writes into them.
     */
    private void requireKinds() {
        for (Path file :
                List.of(
                        lockFile(),
                        config(),
                        log(),
                        metrics(),
                        lossPlot(),
                        best(),
                        bestRecord(),
                        report())) {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new UserException(
                        file
                                + " is not a regular file, and the run writes its "
                                + file.getFileName()
                                + " there; move it away or pick another --run name");
            }
        }
        for (Path folder : List.of(samples(), quality())) {
            if (Files.exists(folder) && !Files.isDirectory(folder)) {
                throw new UserException(
                        folder
                                + " is a file, and the run writes its "
                                + folder.getFileName()
                                + " images into a folder there; move it away or pick another --run"
                                + " name");
            }
        }
    }

    /** Deletes what interrupted atomic writes left in the run (call with the lock held). */
    public void removeTemporaryFiles() throws IOException {
        for (Path dir : List.of(root, samples(), quality())) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f :
                        files.filter(p -> TEMPORARY.matcher(p.getFileName().toString()).matches())
                                .toList()) {
                    Files.deleteIfExists(f);
                    LOG.info("removed {}, left by an interrupted write", f);
                }
            }
        }
    }

    private Path lockFile() {
        return root.resolve(".lock");
    }

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

    /** The best checkpoint by the in-training evaluations; never rotated away. */
    public Path best() {
        return root.resolve("best.safetensors");
    }

    /** Which step {@link #best} holds, and its numbers. */
    public Path bestRecord() {
        return root.resolve("best.json");
    }

    /** The images of the in-training evaluations, one PNG per evaluated step. */
    public Path quality() {
        return root.resolve("quality");
    }

    public Path report() {
        return root.resolve("report.html");
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

    /** The step of a checkpoint file named {@code step-N.safetensors}, or -1. */
    public static long stepOf(Path checkpoint) {
        Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Resolves {@code spec} (null or {@code latest}, a checkpoint file, a run folder, or a run name
     * under {@code checkpointsRoot}) to a checkpoint file. {@code latest} is the user's newest run,
     * else the newest checkpoint of {@code shippedRun} (the model that ships with ddpm); the run
     * name {@value #PRETRAINED} is {@code shippedRun} unless {@code checkpointsRoot} has its own.
     *
     * @throws NoCheckpointException when nothing matches, with what to do about it
     */
    public static Path resolveCheckpoint(String spec, Path checkpointsRoot, Path shippedRun) {
        if (spec != null && spec.endsWith(BEST_SUFFIX) && !Files.exists(Path.of(spec))) {
            return bestOf(
                    spec.substring(0, spec.length() - BEST_SUFFIX.length()),
                    checkpointsRoot,
                    shippedRun);
        }
        if (spec == null || spec.equals("latest")) {
            Optional<Path> users =
                    latestRun(checkpointsRoot).flatMap(RunDirectory::latestCheckpoint);
            if (users.isPresent()) {
                return users.get();
            }
            Optional<Path> shipped = new RunDirectory(shippedRun).latestCheckpoint();
            shipped.ifPresent(
                    p ->
                            LOG.info(
                                    "no run of your own under {}/ yet: using the model that ships"
                                            + " with ddpm, {}",
                                    checkpointsRoot,
                                    p));
            return shipped.orElseThrow(
                    () ->
                            new NoCheckpointException(
                                    "no checkpoint under "
                                            + checkpointsRoot
                                            + "/ yet: train one with './ddpm train --config"
                                            + " config/quick.json' or import reference weights with"
                                            + " './ddpm import --from weights.safetensors'"));
        }
        Path path = Path.of(spec);
        if (Files.isRegularFile(path)) {
            return path;
        }
        Path named = checkpointsRoot.resolve(spec);
        Path dir =
                Files.isDirectory(path)
                        ? path
                        : spec.equals(PRETRAINED) && !Files.isDirectory(named) ? shippedRun : named;
        if (Files.isDirectory(dir)) {
            return new RunDirectory(dir)
                    .latestCheckpoint()
                    .orElseThrow(
                            () ->
                                    new NoCheckpointException(
                                            "run folder "
                                                    + dir
                                                    + " holds no checkpoint"
                                                    + " (step-*.safetensors) yet"));
        }
        throw new NoCheckpointException(
                "checkpoint '"
                        + spec
                        + "' not found: give a .safetensors file, a run"
                        + " folder, a run name under "
                        + checkpointsRoot
                        + "/, or 'latest'");
    }

    /** The best checkpoint of the run {@code runSpec} names (as for the newest one). */
    private static Path bestOf(String runSpec, Path checkpointsRoot, Path shippedRun) {
        Path newest =
                resolveCheckpoint(
                        runSpec.isEmpty() ? "latest" : runSpec, checkpointsRoot, shippedRun);
        Path best = new RunDirectory(newest.toAbsolutePath().getParent()).best();
        if (!Files.isRegularFile(best)) {
            throw new NoCheckpointException(
                    "run folder "
                            + newest.getParent()
                            + " has no best checkpoint (best.safetensors): the in-training"
                            + " evaluation chooses it (train.eval_images_per_class > 0); use the"
                            + " run's newest checkpoint instead (without "
                            + BEST_SUFFIX
                            + ")");
        }
        return best;
    }

    /**
     * Reads the checkpoint {@code spec} names, already resolved to {@code resolved}, with {@code
     * reader}. A run's newest checkpoint can be deleted by the training that rotates them between
     * finding and reading it: then the run's newer one, which {@code resolveAgain} finds, is read
     * instead (a few times at most).
     */
    public static <T> T readCheckpoint(
            Path resolved, String spec, Supplier<Path> resolveAgain, Function<Path, T> reader) {
        Path file = resolved;
        for (int attempt = 1; ; attempt++) {
            try {
                return reader.apply(file);
            } catch (RuntimeException e) {
                boolean rotated =
                        !Files.exists(file)
                                && !file.toString().equals(spec)
                                && causedBy(e, NoSuchFileException.class);
                if (!rotated || attempt == 3) {
                    throw e;
                }
                LOG.info(
                        "{} was replaced by a newer checkpoint while being read; reading the newer"
                                + " one",
                        file);
                file = resolveAgain.get();
            }
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The user's run (not the shipped model) under {@code checkpointsRoot} whose newest checkpoint
     * was written last.
     */
    public static Optional<RunDirectory> latestRun(Path checkpointsRoot) {
        if (!Files.isDirectory(checkpointsRoot)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(checkpointsRoot)) {
            return dirs.filter(Files::isDirectory)
                    .filter(d -> !RESERVED.contains(d.getFileName().toString()))
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
    public static class NoCheckpointException extends UserException {
        private static final long serialVersionUID = 1L;

        public NoCheckpointException(String message) {
            super(message);
        }
    }
}
