package dev.ddpm.app;

import ai.djl.ndarray.NDManager;
import dev.ddpm.generate.Generator;
import dev.ddpm.io.RunDirectory;
import java.nio.file.Path;

/**
 * The checkpoint a generating command samples from ({@code sample}, {@code gif}, {@code eval}):
 * resolved when made, so that a missing checkpoint is an error before the engine loads, and opened
 * as a {@link Generator} later.
 */
public final class ModelSource {

    private final Workspace workspace;
    private final String spec;
    private final boolean preferEma;
    private final Path file;

    private ModelSource(Workspace workspace, String spec, boolean preferEma) {
        this.workspace = workspace;
        this.spec = spec;
        this.preferEma = preferEma;
        this.file = workspace.resolveCheckpoint(spec);
    }

    /**
     * The checkpoint {@code spec} names ({@code latest}, a run name, a run folder or a file).
     *
     * @param preferEma sample with the moving average of the weights when the checkpoint has one
     * @throws RunDirectory.NoCheckpointException when there is none, saying how to get one
     */
    public static ModelSource resolve(Workspace workspace, String spec, boolean preferEma) {
        return new ModelSource(workspace, spec, preferEma);
    }

    /** The checkpoint file, as resolved now. */
    public Path file() {
        return file;
    }

    /**
     * The checkpoint's model on {@code manager}. A run's newest checkpoint that a training rotates
     * away meanwhile is replaced by the run's newer one.
     */
    public Generator open(NDManager manager) {
        return RunDirectory.readCheckpoint(
                file,
                spec,
                () -> workspace.resolveCheckpoint(spec),
                checkpoint -> Generator.open(checkpoint, preferEma, manager));
    }
}
