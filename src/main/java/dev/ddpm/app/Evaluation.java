package dev.ddpm.app;

import ai.djl.ndarray.NDManager;
import dev.ddpm.common.UserException;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.eval.EvalReport;
import dev.ddpm.eval.Evaluator;
import dev.ddpm.eval.ImageClassifier;
import dev.ddpm.eval.LeNet;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.ClassNames;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.report.EvalSection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The evaluation of a model: it generates {@link Request#perDigit} images of each class asked for
 * and judges them with a classifier of the data set the model was trained on (trained and cached on
 * first use, per data set and content): accuracy per class, Fréchet distance to the held-out test
 * images and its floor. Writes the report, the images and a page with both next to each other,
 * named after the checkpoint and the settings (see {@link #outputName}).
 */
public final class Evaluation {

    /**
     * What to evaluate beyond the model and the sampling settings.
     *
     * @param perDigit images generated per class, at least 1
     * @param digits the classes to evaluate by index (each once); empty for all, or for {@code
     *     classes}
     * @param classes the classes to evaluate by name or index (each once); empty for all, or for
     *     {@code digits}
     * @param noEma whether the trained weights were asked for instead of their average (it names
     *     the output)
     * @param dataDir the data set's folder (MNIST's files, or the image folder); null for the
     *     checkpoint's {@code train.data_dir}, found in the workspace
     * @param classifier the classifier's cache file; null for the data set's in {@link
     *     Workspace#classifier(String)}
     * @param out the folder of the report and images; null for the checkpoint's run folder's {@code
     *     eval/}
     */
    public record Request(
            int perDigit,
            List<Integer> digits,
            List<String> classes,
            boolean noEma,
            Path dataDir,
            Path classifier,
            Path out) {

        public Request {
            digits = List.copyOf(digits);
            classes = List.copyOf(classes);
            if (perDigit < 1) {
                throw new UserException("--n must be at least 1, got " + perDigit);
            }
            if (!digits.isEmpty() && !classes.isEmpty()) {
                throw new UserException("--digit and --class exclude each other: use one of them");
            }
            if (perDigit == 1 && digits.size() + classes.size() == 1) {
                throw new UserException(
                        "--n 1 with one "
                                + (digits.isEmpty() ? "--class" : "--digit")
                                + " is one image; the Frechet distance needs at least 2: raise"
                                + " --n");
            }
            for (int d : digits) {
                if (d < 0 || d > 9) {
                    throw new UserException("--digit must be a digit 0-9, got " + d);
                }
            }
            if (digits.stream().distinct().count() != digits.size()) {
                throw new UserException("--digit lists a digit twice: " + digits);
            }
        }

        /**
         * The class indices asked for in a model of {@code names}, all when none were.
         *
         * @throws UserException for a class the model does not have, or one asked for twice
         */
        List<Integer> evaluated(List<String> names) {
            List<Integer> chosen =
                    !classes.isEmpty()
                            ? classes.stream()
                                    .map(c -> ClassNames.index(c, names, "--class"))
                                    .toList()
                            : digits;
            for (int d : chosen) {
                if (d >= names.size()) {
                    throw new UserException(
                            "--digit must be 0-" + (names.size() - 1) + ", got " + d);
                }
            }
            if (chosen.stream().distinct().count() != chosen.size()) {
                throw new UserException("--class lists a class twice: " + classes);
            }
            return chosen.isEmpty() ? IntStream.range(0, names.size()).boxed().toList() : chosen;
        }
    }

    /** The report and where it was written: JSON, the images, a page with both. */
    public record Outcome(EvalReport report, Path json, Path png, Path html) {}

    private Evaluation() {}

    /**
     * Evaluates the model of {@code generator} on {@code manager}'s device, against the data set it
     * was trained on.
     *
     * @throws UserException when the data set is not the model's (other classes), its images are
     *     too small for the classifier, or the request asks for more images than the floor can
     *     match
     */
    public static Outcome run(
            Workspace workspace,
            Generator generator,
            SamplingSettings settings,
            Request request,
            NDManager manager)
            throws IOException {
        Path file = generator.source();
        DdpmConfig config = generator.config();
        List<Integer> evaluated = request.evaluated(generator.classes());
        Path folder = request.out() != null ? request.out() : defaultFolder(workspace, file);
        String name = outputName(generator, settings, request, evaluated);
        Path json = folder.resolve(name + ".json");
        Path png = folder.resolve(name + ".png");
        Path html = folder.resolve(name + ".html");
        // before the data is read or downloaded
        AtomicFiles.requireWritable(json);
        AtomicFiles.requireWritable(png);
        AtomicFiles.requireWritable(html);
        if (request.classifier() != null) {
            ImageClassifier.requireUsable(request.classifier());
        }
        Path data =
                request.dataDir() != null
                        ? request.dataDir()
                        : TrainingSet.folder(workspace, config.train());
        TrainingSet.Splits splits = TrainingSet.splits(config, data);
        LabeledImages train = splits.train();
        requireJudgeable(file, generator, data, train, request.perDigit());
        Path classifierFile =
                request.classifier() != null
                        ? request.classifier()
                        : workspace.classifier(
                                ImageClassifier.fileName(dataSetName(config, data), train));
        ImageClassifier.requireUsable(classifierFile);
        try (ImageClassifier classifier =
                ImageClassifier.loadOrTrain(
                        classifierFile,
                        train,
                        splits.test(),
                        manager,
                        ImageClassifier.DEFAULT_SEED)) {
            Evaluator evaluator = new Evaluator(classifier, train, splits.test());
            Evaluator.Result result =
                    evaluator.evaluate(
                            generator, file, settings, evaluated, request.perDigit(), manager);
            result.write(json, png);
            AtomicFiles.writeString(
                    html, EvalSection.page(result, file, generator.batchSize(settings)));
            return new Outcome(result.report(), json, png, html);
        }
    }

    /**
     * Refuses data that is not the model's (other classes), images too small for the classifier,
     * and more images per class than the rarest class has for the floor.
     */
    private static void requireJudgeable(
            Path file, Generator generator, Path data, LabeledImages train, int perClass) {
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
        int maxPerClass = Evaluator.maxPerDigit(train);
        if (perClass > maxPerClass) {
            throw new UserException(
                    "--n must be at most "
                            + maxPerClass
                            + " (training images of the rarest class, for the floor), got "
                            + perClass);
        }
    }

    /** The name the data set's classifier file starts with: the data set, or the folder's name. */
    private static String dataSetName(DdpmConfig config, Path data) {
        TrainConfig.Dataset dataset = config.train().dataset();
        if (dataset != TrainConfig.Dataset.FOLDER) {
            return dataset.configName();
        }
        Path name = data.toAbsolutePath().normalize().getFileName();
        return name == null ? "folder" : name.toString().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * Where a report goes without {@code --out}: the {@code eval/} folder of the checkpoint's run,
     * except for the shipped model, which using ddpm never modifies: {@code
     * <root>/eval/pretrained/}.
     */
    static Path defaultFolder(Workspace workspace, Path checkpoint) {
        Path run = checkpoint.toAbsolutePath().getParent();
        return workspace.isShippedModel(run)
                ? workspace.output("eval").resolve(RunDirectory.PRETRAINED)
                : run.resolve("eval");
    }

    /**
     * e.g. {@code step-00004000-ddim-50-g0-seed0-n100}, with {@code -no-ema} and {@code -digits-37}
     * (or {@code -classes-0-4} for classes by name) when they apply: the Fréchet distances of
     * different {@code --n} do not compare, so each has its own report.
     */
    static String outputName(
            Generator generator,
            SamplingSettings settings,
            Request request,
            List<Integer> evaluated) {
        String stem =
                generator.source().getFileName().toString().replaceFirst("\\.safetensors$", "");
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
        if (settings.spacing() != null
                && settings.spacing() != SamplingSettings.defaultSpacing(settings.sampler())) {
            name.append('-').append(settings.spacing().configName());
        }
        name.append("-seed").append(settings.seed()).append("-n").append(request.perDigit());
        if (request.noEma()) {
            name.append("-no-ema");
        }
        if (!request.digits().isEmpty()) {
            name.append("-digits-");
            request.digits().forEach(name::append);
        } else if (!request.classes().isEmpty()) {
            name.append("-classes");
            evaluated.forEach(c -> name.append('-').append(c));
        }
        return name.toString();
    }

    /** {@code v} without a fraction when it is whole: 2 rather than 2.0. */
    public static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
