package dev.ddpm.cli;

import ai.djl.ndarray.NDManager;
import dev.ddpm.app.Evaluation;
import dev.ddpm.app.ModelSource;
import dev.ddpm.app.Workspace;
import dev.ddpm.common.UserException;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.eval.EvalReport;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm eval}: accuracy and Fréchet distance of generated digits, judged by an MNIST
 * classifier.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Generates N images of each class and judges them by accuracy and Frechet distance.",
            "The judge is a LeNet classifier of the data set the checkpoint was trained on",
            "(trained and cached in checkpoints/classifier/ on first use, one per data set):",
            "  accuracy   share classified as the class asked for (overall, per class)",
            "  Frechet    distance between the classifier features of the generated and",
            "  distance   the held-out test images, beside its floor: the same distance for",
            "             as many real training images (same count per class)"
        },
        footer = {
            "",
            "Writes <run>/eval/<checkpoint>-<sampler>-<steps>-g<guidance>-seed<seed>",
            ".json (the report), .png (the images, one row of up to 100 per digit) and",
            ".html (a page with both, the misclassified images framed in red).",
            "",
            "Examples:",
            "  ddpm eval                           latest checkpoint, sampled as it recommends",
            "  ddpm eval --checkpoint pretrained --steps 50 --n 50  the shipped model",
            "  ddpm eval --guidance 2 --seed 1     with classifier-free guidance",
            "  ddpm eval --sampler ddpm --digit 3  reference sampler, only 3s",
            "  ddpm eval --checkpoint color --class 3 --class 7   two classes of a folder's model"
        })
public final class EvalCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(EvalCommand.class);

    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Mixin GenerationOptions generation;

    @Option(
            names = "--n",
            paramLabel = "N",
            defaultValue = "100",
            description = "Images generated per class (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(
            names = "--digit",
            paramLabel = "D",
            description = "Evaluate only this digit (repeatable; default: all ten).")
    List<Integer> digits = new ArrayList<>();

    @Option(
            names = "--class",
            paramLabel = "NAME|INDEX",
            description = "Evaluate only this class, by name or index (repeatable; default: all).")
    List<String> classNames = new ArrayList<>();

    @Option(
            names = "--batch",
            paramLabel = "N",
            hidden = true,
            description = "Former name of --max-batch.")
    Integer batch;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description =
                    "The data set's folder: MNIST's or Fashion-MNIST's files (default:"
                            + " <train.data_dir>/<train.dataset> of the checkpoint's configuration;"
                            + " missing files are downloaded), or the image folder (default:"
                            + " train.data_dir).")
    Path dataDir;

    @Option(
            names = "--classifier",
            paramLabel = "FILE",
            description =
                    "Cached classifier, trained there when absent (default: "
                            + "checkpoints/classifier/mnist-lenet.safetensors for MNIST, else"
                            + " <data set>-<content key>-lenet.safetensors there); never"
                            + " overwritten.")
    Path classifierFile;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report and PNG (default: <run>/eval).")
    Path out;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        Evaluation.Request request =
                new Evaluation.Request(
                        n, digits, classNames, generation.noEma, dataDir, classifierFile, out);
        generation.validate();
        if (batch != null && batch < 1) {
            throw new UserException("--batch must be at least 1, got " + batch);
        }
        Workspace workspace = common.workspace();
        ModelSource source = generation.source(workspace);
        try (NDManager manager = NDManager.newBaseManager(common.device())) {
            Generator generator = source.open(manager);
            generation.requireStepsWithin(generator);
            SamplingSettings settings =
                    batch != null
                            ? generation.settings(generator).withMaxBatch(batch)
                            : generation.settings(generator);
            Evaluation.Outcome outcome =
                    Evaluation.run(workspace, generator, settings, request, manager);
            printTable(outcome, generator.config().train().dataset());
        }
        return 0;
    }

    private void printTable(Evaluation.Outcome outcome, TrainConfig.Dataset dataset) {
        EvalReport r = outcome.report();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(
                "%s (%s weights%s)%n",
                r.checkpoint(), r.weights(), r.step() == null ? "" : ", step " + r.step());
        EvalReport.Sampling s = r.sampling();
        o.printf(
                "%d images (%d per class), %s %d steps%s, guidance %s, seed %d, %s%n",
                r.images(),
                r.imagesPerDigit(),
                s.sampler(),
                s.steps(),
                s.eta() == null ? "" : ", eta " + Evaluation.number(s.eta()),
                Evaluation.number(s.guidance()),
                s.seed(),
                r.device());
        o.println();
        String label = dataset == TrainConfig.Dataset.MNIST ? "digit" : "class";
        int width =
                Math.max(
                        label.length(),
                        r.accuracyPerDigit().keySet().stream()
                                .mapToInt(String::length)
                                .max()
                                .orElse(0));
        String row = "%" + width + "s  %7.1f%%%n";
        o.printf("%" + width + "s  accuracy%n", label);
        r.accuracyPerDigit().forEach((c, acc) -> o.printf(row, c, 100 * acc));
        o.printf(row, "all", 100 * r.accuracy());
        o.println();
        o.printf(
                "Frechet distance (LeNet features, vs %d %s test images): %.3f   floor (%d real"
                        + " training images): %.3f%n",
                r.referenceImages(),
                dataset == TrainConfig.Dataset.MNIST ? "MNIST" : "held-out",
                r.frechetDistance(),
                r.floorImages(),
                r.frechetDistanceFloor());
        o.printf(
                "classifier %s (test accuracy %.2f%%)%n",
                r.classifier().file(), 100 * r.classifier().testAccuracy());
        o.println();
        o.println("report " + outcome.json());
        o.println("images " + outcome.png());
        o.println("page   " + outcome.html());
        o.flush();
        LOG.debug("evaluation took {} s", r.seconds().total());
    }
}
