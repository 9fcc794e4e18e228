package dev.ddpm.cli;

import dev.ddpm.app.TrainingRun;
import dev.ddpm.app.Workspace;
import dev.ddpm.common.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ddpm train}: trains a model into {@code checkpoints/<run>/}, or resumes a run. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Trains a class-conditional diffusion model on MNIST.",
            "A run lives in checkpoints/<run>/: config.json, train.log, metrics.jsonl, loss.png,"
                    + " samples/step-*.png and the last checkpoints step-*.safetensors.",
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
            "  ddpm train --resume clipped --epochs 10              continue run 'clipped' for"
                    + " more epochs"
        })
public final class TrainCommand implements Callable<Integer> {

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
    public Integer call() throws IOException {
        common.applyLogging();
        if (resume != null && run != null) {
            throw new UserException(
                    "--run and --resume exclude each other (a resumed run stays in its folder)");
        }
        Workspace workspace = common.workspace();
        TrainingRun training =
                resume == null
                        ? TrainingRun.start(
                                workspace,
                                configOptions.load(flags()),
                                run != null ? run : TrainingRun.defaultName(configName()))
                        : TrainingRun.resume(
                                workspace, resume, saved -> configOptions.loadOver(saved, flags()));
        return training.run(common::device) == TrainingRun.Outcome.STOPPED ? STOPPED : 0;
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

    private String configName() {
        Path file = configOptions.file();
        return file == null
                ? "default"
                : file.getFileName().toString().replaceFirst("\\.json$", "");
    }
}
