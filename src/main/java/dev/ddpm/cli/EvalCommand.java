package dev.ddpm.cli;

import ai.djl.ndarray.NDManager;
import dev.ddpm.common.UserException;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.data.TrainingSet;
import dev.ddpm.eval.EvalReport;
import dev.ddpm.eval.Evaluator;
import dev.ddpm.eval.ImageClassifier;
import dev.ddpm.eval.LeNet;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.report.EvalSection;
import java.io.IOException;
import java.io.PrintWriter;
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
 * {@code ddpm eval}: accuracy and Fréchet distance of generated images, judged by a classifier
 * trained on the checkpoint's data set (MNIST, Fashion-MNIST or an image folder).
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Generates N images of each class and judges them with a LeNet classifier",
            "(trained on the data set the checkpoint was trained on, and cached in",
            "checkpoints/classifier/ on first use, one file per data set and content):",
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
            "  ddpm eval                           latest checkpoint, DDIM 100 steps",
            "  ddpm eval --checkpoint quick --steps 50 --n 50",
            "  ddpm eval --guidance 2 --seed 1     with classifier-free guidance",
            "  ddpm eval --sampler ddpm --digit 3  reference sampler, only 3s",
            "  ddpm eval --checkpoint color --class red --class 4   two classes of a folder's model"
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
        validate();
        generation.checkpointFile();
        try (NDManager manager = NDManager.newBaseManager(common.device())) {
            Generator generator = generation.open(manager);
            Path file = generator.source();
            DdpmConfig config = generator.config();
            TrainConfig.Dataset dataset = config.train().dataset();
            List<Integer> evaluated = evaluated(generator.classes());
            Path folder = out != null ? out : file.toAbsolutePath().getParent().resolve("eval");
            SamplingSettings settings =
                    generation.settings(batch != null ? batch : Evaluator.DEFAULT_MAX_BATCH);
            String name = outputName(file, settings, generator, evaluated);
            // before the data is read or downloaded
            AtomicFiles.requireWritable(folder.resolve(name + ".json"));
            AtomicFiles.requireWritable(folder.resolve(name + ".png"));
            AtomicFiles.requireWritable(folder.resolve(name + ".html"));
            if (classifierFile != null) {
                ImageClassifier.requireUsable(classifierFile);
            }
            Path data = dataDir != null ? dataDir : TrainingSet.dataSetDir(config.train());
            TrainingSet.Splits splits = TrainingSet.splits(config, data);
            LabeledImages train = splits.train();
            if (!generator.classes().equals(train.classes())) {
                throw new UserException(
                        file
                                + " was trained on the classes "
                                + generator.classes()
                                + ", but "
                                + data
                                + " holds "
                                + train.classes()
                                + ": give the data set it was trained on with --data-dir");
            }
            if (train.imageSize() < LeNet.MIN_SIZE) {
                throw new UserException(
                        file
                                + " generates "
                                + train.imageSize()
                                + "x"
                                + train.imageSize()
                                + " images; the classifier needs at least "
                                + LeNet.MIN_SIZE
                                + "x"
                                + LeNet.MIN_SIZE);
            }
            int maxPerDigit = Evaluator.maxPerDigit(train);
            if (n > maxPerDigit) {
                throw new UserException(
                        "--n must be at most "
                                + maxPerDigit
                                + " (training images of the rarest class, for the floor), got "
                                + n);
            }
            Path classifier =
                    classifierFile != null
                            ? classifierFile
                            : ImageClassifier.defaultFile(dataSetName(dataset, data), train);
            ImageClassifier.requireUsable(classifier);
            try (ImageClassifier judge =
                    ImageClassifier.loadOrTrain(
                            classifier,
                            train,
                            splits.test(),
                            manager,
                            ImageClassifier.DEFAULT_SEED)) {
                Evaluator evaluator = new Evaluator(judge, train, splits.test());
                Evaluator.Result result =
                        evaluator.evaluate(generator, file, settings, evaluated, n, manager);
                Path json = folder.resolve(name + ".json");
                Path png = folder.resolve(name + ".png");
                Path html = folder.resolve(name + ".html");
                result.write(json, png);
                AtomicFiles.writeString(html, EvalSection.page(result, file, settings.maxBatch()));
                printTable(result.report(), json, png, html, dataset);
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
        if (!digits.isEmpty() && !classNames.isEmpty()) {
            throw new UserException("--digit and --class exclude each other: use one of them");
        }
        generation.validate();
        if (batch != null && batch < 1) {
            throw new UserException("--batch must be at least 1, got " + batch);
        }
    }

    /** The class indices --digit or --class select, all when neither is given. */
    private List<Integer> evaluated(List<String> classes) {
        List<Integer> chosen =
                !classNames.isEmpty()
                        ? classNames.stream()
                                .map(c -> ClassOptions.index(c, classes, "--class"))
                                .toList()
                        : digits;
        for (int d : chosen) {
            if (d >= classes.size()) {
                throw new UserException("--digit must be 0-" + (classes.size() - 1) + ", got " + d);
            }
        }
        if (chosen.stream().distinct().count() != chosen.size()) {
            throw new UserException("--class lists a class twice: " + classNames);
        }
        if (n == 1 && chosen.size() == 1 && digits.isEmpty()) {
            throw new UserException(
                    "--n 1 with one class is one image; the Frechet distance needs at least 2:"
                            + " raise --n");
        }
        return chosen.isEmpty() ? IntStream.range(0, classes.size()).boxed().toList() : chosen;
    }

    /** The name the data set's classifier file starts with. */
    private static String dataSetName(TrainConfig.Dataset dataset, Path data) {
        if (dataset != TrainConfig.Dataset.FOLDER) {
            return dataset.configName();
        }
        Path name = data.toAbsolutePath().normalize().getFileName();
        return name == null ? "folder" : name.toString().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * e.g. {@code step-00004000-ddim-50-g0-seed0}, with {@code -no-ema} and {@code -digits-37} (or
     * {@code -classes-0-4} for --class) when they apply.
     */
    private String outputName(
            Path file, SamplingSettings settings, Generator generator, List<Integer> evaluated) {
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
        name.append("-seed").append(settings.seed());
        if (generation.noEma) {
            name.append("-no-ema");
        }
        if (!digits.isEmpty()) {
            name.append("-digits-");
            digits.forEach(name::append);
        } else if (!classNames.isEmpty()) {
            name.append("-classes");
            evaluated.forEach(c -> name.append('-').append(c));
        }
        return name.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private void printTable(
            EvalReport r, Path json, Path png, Path html, TrainConfig.Dataset dataset) {
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
                s.eta() == null ? "" : ", eta " + number(s.eta()),
                number(s.guidance()),
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
        o.println("report " + json);
        o.println("images " + png);
        o.println("page   " + html);
        o.flush();
        LOG.debug("evaluation took {} s", r.seconds().total());
    }
}
