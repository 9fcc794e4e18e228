package dev.ddpm.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.UserException;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.eval.EvalReport;
import dev.ddpm.eval.Evaluator;
import dev.ddpm.eval.MnistClassifier;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.report.EvalSection;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
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
            "Generates N images of each digit and judges them by accuracy and Frechet distance.",
            "The judge is a LeNet classifier (trained on MNIST and cached in"
                    + " checkpoints/classifier/ on first use):",
            "  accuracy   share classified as the digit asked for (overall, per digit)",
            "  Frechet    distance between the classifier features of the generated and",
            "  distance   the MNIST test images, beside its floor: the same distance for",
            "             as many real training images (same count per digit)"
        },
        footer = {
            "",
            "Writes <run>/eval/<checkpoint>-<sampler>-<steps>-g<guidance>-seed<seed>",
            ".json (the report), .png (the images, one row of up to 100 per digit) and",
            ".html (a page with both, the misclassified images framed in red).",
            "",
            "Examples:",
            "  ddpm eval                           latest checkpoint, DDIM 100 steps",
            "  ddpm eval --checkpoint pretrained --steps 50 --n 50  the shipped model",
            "  ddpm eval --guidance 2 --seed 1     with classifier-free guidance",
            "  ddpm eval --sampler ddpm --digit 3  reference sampler, only 3s"
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
            description = "Images generated per digit (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(
            names = "--digit",
            paramLabel = "D",
            description = "Evaluate only this digit (repeatable; default: all ten).")
    List<Integer> digits = new ArrayList<>();

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
                    "Folder with the MNIST files (default: <train.data_dir>/mnist of the"
                            + " checkpoint's configuration; missing files are downloaded).")
    Path dataDir;

    @Option(
            names = "--classifier",
            paramLabel = "FILE",
            description =
                    "Cached classifier, trained there when absent (default: "
                            + "checkpoints/classifier/mnist-lenet.safetensors); never overwritten.")
    Path classifierFile = MnistClassifier.DEFAULT_FILE;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report and PNG (default: <run>/eval).")
    Path out;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        validate();
        generation.checkpointFile();
        try (NDManager manager = NDManager.newBaseManager(common.device())) {
            Generator generator = generation.open(manager);
            Path file = generator.source();
            DdpmConfig config = generator.config();
            if (config.train().dataset() != TrainConfig.Dataset.MNIST) {
                throw new UserException(
                        file
                                + " was trained on "
                                + config.train().dataset().configName()
                                + "; eval judges MNIST digits only");
            }
            if (!generator
                    .imageShape()
                    .equals(new Shape(1, MnistDataset.IMAGE_SIZE, MnistDataset.IMAGE_SIZE))) {
                throw new UserException(
                        file
                                + " generates "
                                + generator.imageShape()
                                + " images; the classifier judges 1x32x32 MNIST images");
            }
            Path folder = out != null ? out : defaultFolder(file);
            SamplingSettings settings =
                    generation.settings(batch != null ? batch : Evaluator.DEFAULT_MAX_BATCH);
            String name = outputName(file, settings, generator);
            // before the data is read or downloaded
            AtomicFiles.requireWritable(folder.resolve(name + ".json"));
            AtomicFiles.requireWritable(folder.resolve(name + ".png"));
            AtomicFiles.requireWritable(folder.resolve(name + ".html"));
            MnistClassifier.requireUsable(classifierFile);
            Path mnist =
                    dataDir != null
                            ? dataDir
                            : MnistDataset.folder(Path.of(config.train().dataDir()), "mnist");
            MnistDataset.ensureFiles(mnist, "mnist");
            MnistDataset train = MnistDataset.load(mnist, "mnist", true);
            MnistDataset test = MnistDataset.load(mnist, "mnist", false);
            int maxPerDigit = Evaluator.maxPerDigit(train);
            if (n > maxPerDigit) {
                throw new UserException(
                        "--n must be at most "
                                + maxPerDigit
                                + " (training images of the rarest digit, for the floor), got "
                                + n);
            }
            try (MnistClassifier classifier =
                    MnistClassifier.loadOrTrain(
                            classifierFile, mnist, manager, MnistClassifier.DEFAULT_SEED)) {
                Evaluator evaluator = new Evaluator(classifier, train, test);
                List<Integer> evaluated =
                        digits.isEmpty() ? IntStream.range(0, 10).boxed().toList() : digits;
                Evaluator.Result result =
                        evaluator.evaluate(generator, file, settings, evaluated, n, manager);
                Path json = folder.resolve(name + ".json");
                Path png = folder.resolve(name + ".png");
                Path html = folder.resolve(name + ".html");
                result.write(json, png);
                AtomicFiles.writeString(html, EvalSection.page(result, file, settings.maxBatch()));
                printTable(result.report(), json, png, html);
            }
        }
        return 0;
    }

    private void validate() {
        if (n < 1) {
            throw new UserException("--n must be at least 1, got " + n);
        }
        if (n == 1 && digits.size() == 1) {
            throw new UserException(
                    "--n 1 with one --digit is one image; the Frechet distance needs at least 2:"
                            + " raise --n");
        }
        for (int d : digits) {
            if (d < 0 || d > 9) {
                throw new UserException("--digit must be a digit 0-9, got " + d);
            }
        }
        if (digits.stream().distinct().count() != digits.size()) {
            throw new UserException("--digit lists a digit twice: " + digits);
        }
        generation.validate();
        if (batch != null && batch < 1) {
            throw new UserException("--batch must be at least 1, got " + batch);
        }
    }

    /**
     * Where a report goes without {@code --out}: the {@code eval/} folder of the checkpoint's run,
     * except for the shipped model, which using ddpm never modifies: {@code eval/pretrained/}.
     */
    static Path defaultFolder(Path checkpoint) {
        Path run = checkpoint.toAbsolutePath().getParent();
        Path shipped = Path.of("checkpoints", RunDirectory.PRETRAINED);
        try {
            if (Files.exists(shipped) && Files.isSameFile(run, shipped)) {
                return Path.of("eval", RunDirectory.PRETRAINED);
            }
        } catch (IOException e) {
            // an unreadable folder is no shipped model
        }
        return run.resolve("eval");
    }

    /**
     * e.g. {@code step-00004000-ddim-50-g0-seed0-n100}, with {@code -no-ema} and {@code -digits-37}
     * when they apply: the Fréchet distances of different {@code --n} do not compare, so each has
     * its own report.
     */
    private String outputName(Path file, SamplingSettings settings, Generator generator) {
        String stem = file.getFileName().toString().replaceFirst("\\.safetensors$", "");
        int steps = settings.samplerFor(generator.schedule()).plan(generator.schedule()).size();
        StringBuilder name =
                new StringBuilder(stem)
                        .append('-')
                        .append(settings.sampler().configName())
                        .append('-')
                        .append(steps)
                        .append("-g")
                        .append(number(settings.guidance()));
        Double eta = settings.effectiveEta();
        if (eta != null && eta != 0) {
            name.append("-eta").append(number(eta));
        }
        name.append("-seed").append(settings.seed()).append("-n").append(n);
        if (generation.noEma) {
            name.append("-no-ema");
        }
        if (!digits.isEmpty()) {
            name.append("-digits-");
            digits.forEach(name::append);
        }
        return name.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private void printTable(EvalReport r, Path json, Path png, Path html) {
        PrintWriter o = spec.commandLine().getOut();
        o.printf(
                "%s (%s weights%s)%n",
                r.checkpoint(), r.weights(), r.step() == null ? "" : ", step " + r.step());
        EvalReport.Sampling s = r.sampling();
        o.printf(
                "%d images (%d per digit), %s %d steps%s, guidance %s, seed %d, %s%n",
                r.images(),
                r.imagesPerDigit(),
                s.sampler(),
                s.steps(),
                s.eta() == null ? "" : ", eta " + number(s.eta()),
                number(s.guidance()),
                s.seed(),
                r.device());
        o.println();
        o.println("digit  accuracy");
        r.accuracyPerDigit().forEach((digit, acc) -> o.printf("%5s  %7.1f%%%n", digit, 100 * acc));
        o.printf("%5s  %7.1f%%%n", "all", 100 * r.accuracy());
        o.println();
        o.printf(
                "Frechet distance (LeNet features, vs %d MNIST test images): %.3f   floor (%d real"
                        + " training images): %.3f%n",
                r.referenceImages(),
                r.frechetDistance(),
                r.floorImages(),
                r.frechetDistanceFloor());
        o.printf(
                "classifier %s (MNIST test accuracy %.2f%%)%n",
                r.classifier().file(), 100 * r.classifier().testAccuracy());
        o.println();
        o.println("report " + json);
        o.println("images " + png);
        o.println("page   " + html);
        o.flush();
        LOG.debug("evaluation took {} s", r.seconds().total());
    }
}
