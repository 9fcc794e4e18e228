package dev.ddpm.cli;

import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.data.TrainingSet;
import dev.ddpm.eval.ImageClassifier;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.TrainingState;
import dev.ddpm.report.Machine;
import dev.ddpm.report.QualityCheck;
import dev.ddpm.report.ReportWriter;
import dev.ddpm.train.ResumeCheck;
import dev.ddpm.train.StopSignal;
import dev.ddpm.train.Trainer;
import dev.ddpm.train.TrainingListener;
import dev.ddpm.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ddpm train}: trains a model into {@code checkpoints/<run>/}, or resumes a run. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Trains a class-conditional diffusion model on MNIST. A run lives in"
                    + " checkpoints/<run>/: config.json,",
            "train.log, metrics.jsonl, loss.png, samples/step-*.png and the last checkpoints"
                    + " step-*.safetensors.",
            "Ctrl-C writes a checkpoint and stops; --resume continues exactly where the run"
                    + " stopped."
        },
        footer = {
            "",
            "Examples:",
            "  ddpm train --config config/quick.json                 small model, a few minutes on"
                    + " CPU",
            "  ddpm train --epochs 20 --batch-size 128 --lr 2e-4      the reference model, changed",
            "  ddpm train --config config/quick.json --set train.grad_clip=1.0 --run clipped",
            "  ddpm train --resume latest                            continue the most recent run",
            "  ddpm train --resume quick-20250101-120000 --epochs 10  continue a run for more"
                    + " epochs"
        })
public final class TrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);
    private static final Path CHECKPOINTS = Path.of("checkpoints");

    /** Exit status after a stop on request, as a shell reports Ctrl-C. */
    static final int STOPPED = 130;

    @Mixin CommonOptions common;

    @Mixin ConfigOptions configOptions;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description = "Sets train.epochs (may be raised on --resume).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Sets train.batch_size.")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Sets train.lr (Adam learning rate).")
    Double lr;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Sets train.seed (weights, data order, noise).")
    Long seed;

    @Option(
            names = "--run",
            paramLabel = "NAME",
            description =
                    "Run folder name under checkpoints/ (default: <config"
                            + " name>-<yyyyMMdd-HHmmss>).")
    String run;

    @Option(
            names = "--resume",
            paramLabel = "RUN",
            description =
                    "Continue a run: 'latest', a run name, a run folder or a checkpoint file.")
    String resume;

    @Override
    public Integer call() throws Exception {
        common.applyLogging();
        if (resume != null && run != null) {
            throw new UserException(
                    "--run and --resume exclude each other (a resumed run stays in its folder)");
        }
        if (resume != null && resume.endsWith(RunDirectory.BEST_SUFFIX)) {
            throw new UserException(
                    "--resume continues a run from its newest checkpoint, not from "
                            + resume
                            + " (that is for sample, gif, eval, export and info): give the run"
                            + " name without "
                            + RunDirectory.BEST_SUFFIX);
        }
        Path checkpoint =
                resume == null ? null : RunDirectory.resolveCheckpoint(resume, CHECKPOINTS);
        DdpmConfig config;
        RunDirectory runDir;
        TrainingState resumed = null;
        List<String> trainedClasses = null;
        if (checkpoint == null) {
            config = configOptions.load(flags());
            runDir = RunDirectory.named(CHECKPOINTS, run != null ? run : defaultRunName());
        } else {
            Checkpoint.Header saved = Checkpoint.readHeader(checkpoint);
            saved.requireResumable(checkpoint);
            resumed = saved.state();
            trainedClasses = saved.classes();
            config = configOptions.loadOver(saved.config(), flags());
            ResumeCheck.requireCompatible(saved.config(), config, resumed.epoch());
            runDir = new RunDirectory(checkpoint.toAbsolutePath().getParent());
        }
        // All data read and checked before the run folder is touched: a bad image writes nothing.
        LabeledImages data = TrainingSet.load(config);
        if (checkpoint != null) {
            ResumeCheck.requireSameClasses(checkpoint, trainedClasses, data.classes());
        }
        try (AutoCloseable lock = runDir.lock()) {
            if (checkpoint == null && !runDir.checkpoints().isEmpty()) {
                throw new UserException(
                        "run folder "
                                + runDir.root()
                                + " already holds checkpoints; continue it with"
                                + " --resume "
                                + runDir.root().getFileName()
                                + " or pick another --run name");
            }
            runDir.removeTemporaryFiles();
            Logging.addRunLog(runDir.log());
            AtomicFiles.writeString(
                    runDir.config(), ConfigLoader.toJson(config) + System.lineSeparator());
            LOG.info(
                    "run {} ({}), configuration:\n{}",
                    runDir.root(),
                    resumed == null
                            ? "new"
                            : "resuming step " + resumed.step() + " of " + checkpoint.getFileName(),
                    ConfigLoader.toJson(config));
            return train(config, data, runDir, checkpoint);
        }
    }

    private int train(DdpmConfig config, LabeledImages data, RunDirectory runDir, Path checkpoint)
            throws IOException {
        try (Trainer trainer = new Trainer(config, data, common.device())) {
            if (checkpoint != null) {
                trainer.resume(checkpoint);
                LOG.info(
                        "resumed from {} at step {} (epoch {}, batch {} of {})",
                        checkpoint,
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
                                    data,
                                    runDir,
                                    ImageClassifier.DEFAULT_FILE,
                                    common.device())
                            : null;
            List<TrainingListener> more = new ArrayList<>();
            if (quality != null) {
                more.add(quality);
            }
            more.add(new ReportWriter(runDir, Machine.describe(common.device())));
            TrainingLoop loop = TrainingLoop.forRun(trainer, runDir, more);
            // Open until the last line is logged: a signal's shutdown waits for it.
            try (StopSignal signal = new StopSignal(loop::requestStop, Duration.ofMinutes(10));
                    QualityCheck evaluations = quality) {
                TrainingLoop.Outcome outcome = loop.run();
                Path last = runDir.checkpoint(trainer.stepsDone());
                if (outcome == TrainingLoop.Outcome.STOPPED) {
                    LOG.info(
                            "stopped at step {}; checkpoint {}, report {}. Continue with: ./ddpm"
                                    + " train --resume {}",
                            trainer.stepsDone(),
                            last,
                            runDir.report(),
                            runDir.root().getFileName());
                    return STOPPED;
                }
                LOG.info(
                        "finished {} epochs ({} steps); checkpoint {}, samples in {}, loss curve"
                                + " {}",
                        config.train().epochs(),
                        trainer.stepsDone(),
                        last,
                        runDir.samples(),
                        runDir.lossPlot());
                if (quality != null && quality.bestCheckpoint().best().isPresent()) {
                    LOG.info(
                            "best checkpoint {} (step {}): use it as --checkpoint {}{}",
                            runDir.best(),
                            quality.bestCheckpoint().best().get().step(),
                            runDir.root().getFileName(),
                            RunDirectory.BEST_SUFFIX);
                }
                LOG.info("report {}", runDir.report());
                return 0;
            }
        }
    }

    private Map<String, String> flags() {
        Map<String, String> extra = new LinkedHashMap<>();
        if (epochs != null) {
            extra.put("train.epochs", epochs.toString());
        }
        if (batchSize != null) {
            extra.put("train.batch_size", batchSize.toString());
        }
        if (lr != null) {
            extra.put("train.lr", lr.toString());
        }
        if (seed != null) {
            extra.put("train.seed", seed.toString());
        }
        return extra;
    }

    private String defaultRunName() {
        Path file = configOptions.file();
        String name =
                file == null
                        ? "default"
                        : file.getFileName().toString().replaceFirst("\\.json$", "");
        return name
                + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }
}
