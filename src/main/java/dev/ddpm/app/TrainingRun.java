package dev.ddpm.app;

import ai.djl.Device;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.TrainingState;
import dev.ddpm.report.Machine;
import dev.ddpm.report.QualityCheck;
import dev.ddpm.report.ReportWriter;
import dev.ddpm.train.DiffusionTrainer;
import dev.ddpm.train.ResumeCheck;
import dev.ddpm.train.StopSignal;
import dev.ddpm.train.TrainingLoop;
import dev.ddpm.train.TrainingLoopListener;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run, new ({@link #start}) or continued from a checkpoint ({@link #resume}), in its
 * run folder {@code <workspace>/checkpoints/<run>/}. {@link #run} holds the folder's lock, removes
 * what an interrupted write left, logs to {@code train.log}, saves the configuration as {@code
 * config.json}, trains, and says how it ended. Ctrl-C (SIGINT) or SIGTERM during {@link #run}, or
 * {@link #requestStop} from another thread, writes a checkpoint and stops; resuming it repeats the
 * uninterrupted run bit for bit.
 *
 * <pre>{@code
 * TrainingRun run = TrainingRun.start(Workspace.current(), ConfigLoader.load(file, Map.of()), "mine");
 * TrainingRun.Outcome outcome = run.run(Device::cpu);
 * }</pre>
 */
public final class TrainingRun {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    /** How {@link #run} ended. */
    public enum Outcome {
        /** All epochs done. */
        FINISHED,
        /** Stopped on request or signal; the newest checkpoint holds the state. */
        STOPPED
    }

    private final Workspace workspace;
    private final DdpmConfig config;
    private final RunDirectory directory;

    /**
     * The checkpoint a resumed run continues from, its state and the classes it was trained on;
     * null for a new run.
     */
    private final Path resumedFrom;

    private final TrainingState resumedState;
    private final List<String> resumedClasses;

    private volatile TrainingLoop loop;
    private volatile boolean stopRequested;

    private TrainingRun(
            Workspace workspace,
            DdpmConfig config,
            RunDirectory directory,
            Path resumedFrom,
            TrainingState resumedState,
            List<String> resumedClasses) {
        DataSetFit.require(config);
        this.workspace = workspace;
        this.config = config;
        this.directory = directory;
        this.resumedFrom = resumedFrom;
        this.resumedState = resumedState;
        this.resumedClasses = resumedClasses;
    }

    /**
     * A new run of {@code config} in {@code <workspace>/checkpoints/<runName>/}.
     *
     * @throws UserException when the name is not a valid run name or the model does not fit the
     *     dataset
     */
    public static TrainingRun start(Workspace workspace, DdpmConfig config, String runName) {
        return new TrainingRun(
                workspace,
                config,
                RunDirectory.named(workspace.checkpoints(), runName),
                null,
                null,
                null);
    }

    /**
     * The run {@code spec} names ({@code latest}, a run name, a run folder or a checkpoint file),
     * continued from its checkpoint with its saved configuration changed by {@code changes} (e.g.
     * more epochs).
     *
     * @throws UserException when there is no such checkpoint, it cannot be resumed, or the changes
     *     contradict the run so far
     */
    public static TrainingRun resume(
            Workspace workspace, String spec, UnaryOperator<DdpmConfig> changes)
            throws IOException {
        if (spec.endsWith(RunDirectory.BEST_SUFFIX)) {
            throw new UserException(
                    "--resume continues a run from its newest checkpoint, not from "
                            + spec
                            + " (that is for sample, gif, eval, export and info): give the run"
                            + " name without "
                            + RunDirectory.BEST_SUFFIX);
        }
        Path checkpoint = workspace.resolveCheckpoint(spec);
        Checkpoint.Header saved = Checkpoint.readHeader(checkpoint);
        saved.requireResumable(checkpoint);
        DdpmConfig config = changes.apply(saved.config());
        ResumeCheck.requireCompatible(saved.config(), config, saved.state().epoch());
        return new TrainingRun(
                workspace,
                config,
                new RunDirectory(checkpoint.toAbsolutePath().getParent()),
                checkpoint,
                saved.state(),
                saved.classes());
    }

    /** A run name for a configuration named {@code configName}: {@code <name>-yyyyMMdd-HHmmss}. */
    public static String defaultName(String configName) {
        return configName
                + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }

    /** The run's configuration (for a resumed run, with the changes). */
    public DdpmConfig config() {
        return config;
    }

    /** The run folder. */
    public RunDirectory directory() {
        return directory;
    }

    /**
     * Trains to the end of the configured epochs, or until stopped.
     *
     * @param device the device, asked for once the run folder is locked (it loads the engine)
     * @throws UserException when a new run's folder already holds checkpoints, another process
     *     holds the run, the data cannot be read, or a resumed run's classes are not the data's
     */
    public Outcome run(Supplier<Device> device) throws IOException {
        // All data read and checked before the run folder is touched: a bad image writes nothing.
        LabeledImages data = TrainingSet.load(workspace, config);
        if (resumedFrom != null) {
            ResumeCheck.requireSameClasses(resumedFrom, resumedClasses, data.classes());
        }
        try (Closeable lock = directory.lock()) {
            if (resumedFrom == null && !directory.checkpoints().isEmpty()) {
                throw new UserException(
                        "run folder "
                                + directory.root()
                                + " already holds checkpoints; continue it with"
                                + " --resume "
                                + directory.root().getFileName()
                                + " or pick another --run name");
            }
            directory.removeTemporaryFiles();
            try (RunLog log = new RunLog(directory.log())) {
                AtomicFiles.writeString(
                        directory.config(), ConfigLoader.toJson(config) + System.lineSeparator());
                LOG.info(
                        "run {} ({}), configuration:\n{}",
                        directory.root(),
                        resumedFrom == null
                                ? "new"
                                : "resuming step "
                                        + resumedState.step()
                                        + " of "
                                        + resumedFrom.getFileName(),
                        ConfigLoader.toJson(config));
                return train(data, device.get());
            }
        }
    }

    /** Asks a running {@link #run} to write a checkpoint and stop; safe from any thread. */
    public void requestStop() {
        stopRequested = true;
        TrainingLoop running = loop;
        if (running != null) {
            running.requestStop();
        }
    }

    private Outcome train(LabeledImages data, Device device) throws IOException {
        try (DiffusionTrainer trainer = new DiffusionTrainer(config, data, device)) {
            if (resumedFrom != null) {
                trainer.resume(resumedFrom);
                LOG.info(
                        "resumed from {} at step {} (epoch {}, batch {} of {})",
                        resumedFrom,
                        trainer.stepsDone(),
                        trainer.epoch() + 1,
                        trainer.batchInEpoch(),
                        trainer.batchesPerEpoch());
            }
            LOG.info(
                    "{} training images of {}, {} steps per epoch, {} steps in total",
                    trainer.trainingImages(),
                    data.origin(),
                    trainer.batchesPerEpoch(),
                    trainer.totalSteps());
            QualityCheck quality =
                    QualityCheck.applies(config)
                            ? new QualityCheck(
                                    trainer,
                                    config.train().trainLimit() == 0
                                            ? data
                                            : TrainingSet.loadWhole(workspace, config),
                                    directory,
                                    workspace.classifier(),
                                    device)
                            : null;
            List<TrainingLoopListener> more = new ArrayList<>();
            if (quality != null) {
                more.add(quality);
            }
            more.add(new ReportWriter(directory, Machine.describe(device)));
            loop = TrainingLoop.forRun(trainer, directory, more);
            if (stopRequested) {
                loop.requestStop();
            }
            // Open until the last line is logged: a signal's shutdown waits for it.
            try (StopSignal signal = new StopSignal(this::requestStop, Duration.ofMinutes(10));
                    QualityCheck evaluations = quality) {
                TrainingLoop.Outcome outcome = loop.run();
                Path last = directory.checkpoint(trainer.stepsDone());
                if (outcome == TrainingLoop.Outcome.STOPPED) {
                    LOG.info(
                            "stopped at step {}; checkpoint {}, report {}. Continue with: ./ddpm"
                                    + " train --resume {}",
                            trainer.stepsDone(),
                            last,
                            directory.report(),
                            directory.root().getFileName());
                    return Outcome.STOPPED;
                }
                LOG.info(
                        "finished {} epochs ({} steps); checkpoint {}, samples in {}, loss curve"
                                + " {}",
                        config.train().epochs(),
                        trainer.stepsDone(),
                        last,
                        directory.samples(),
                        directory.lossPlot());
                if (quality != null && quality.bestCheckpoint().best().isPresent()) {
                    LOG.info(
                            "best checkpoint {} (step {}): use it as --checkpoint {}{}",
                            directory.best(),
                            quality.bestCheckpoint().best().get().step(),
                            directory.root().getFileName(),
                            RunDirectory.BEST_SUFFIX);
                }
                LOG.info("report {}", directory.report());
                return Outcome.FINISHED;
            } finally {
                loop = null;
            }
        }
    }
}
