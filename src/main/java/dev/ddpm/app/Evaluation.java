package dev.ddpm.app;

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
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The evaluation of a model: it generates {@link Request#perDigit} images of each digit asked for
 * and judges them with an MNIST classifier (trained and cached on first use): accuracy per digit,
 * Fréchet distance to the MNIST test images and its floor. Writes the report, the images and a page
 * with both next to each other, named after the checkpoint and the settings (see {@link
 * #outputName}).
 */
public final class Evaluation {

    /**
     * What to evaluate beyond the model and the sampling settings.
     *
     * @param perDigit images generated per digit, at least 1
     * @param digits the digits to evaluate (0-9, each once); empty for all ten
     * @param noEma whether the trained weights were asked for instead of their average (it names
     *     the output)
     * @param dataDir the MNIST folder; null for the checkpoint's {@code train.data_dir}, found in
     *     the workspace
     * @param classifier the classifier's cache file; null for {@link Workspace#classifier}
     * @param out the folder of the report and images; null for the checkpoint's run folder's {@code
     *     eval/}
     */
    public record Request(
            int perDigit,
            List<Integer> digits,
            boolean noEma,
            Path dataDir,
            Path classifier,
            Path out) {

        public Request {
            digits = List.copyOf(digits);
            if (perDigit < 1) {
                throw new UserException("--n must be at least 1, got " + perDigit);
            }
            if (perDigit == 1 && digits.size() == 1) {
                throw new UserException(
                        "--n 1 with one --digit is one image; the Frechet distance needs at least"
                                + " 2: raise --n");
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
    }

    /** The report and where it was written: JSON, the images, a page with both. */
    public record Outcome(EvalReport report, Path json, Path png, Path html) {}

    private Evaluation() {}

    /**
     * Evaluates the model of {@code source} on {@code manager}'s device.
     *
     * @throws UserException when the model does not make MNIST digits, or the request asks for more
     *     images than the floor can match
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
        Path folder = request.out() != null ? request.out() : defaultFolder(workspace, file);
        String name = outputName(generator, settings, request);
        Path json = folder.resolve(name + ".json");
        Path png = folder.resolve(name + ".png");
        Path html = folder.resolve(name + ".html");
        // before the data is read or downloaded
        AtomicFiles.requireWritable(json);
        AtomicFiles.requireWritable(png);
        AtomicFiles.requireWritable(html);
        Path classifierFile =
                request.classifier() != null ? request.classifier() : workspace.classifier();
        MnistClassifier.requireUsable(classifierFile);
        Path mnist =
                request.dataDir() != null
                        ? request.dataDir()
                        : workspace.dataFolder(config.train().dataDir(), "mnist");
        MnistDataset.ensureFiles(mnist, "mnist");
        MnistDataset train = MnistDataset.load(mnist, "mnist", true);
        MnistDataset test = MnistDataset.load(mnist, "mnist", false);
        int maxPerDigit = Evaluator.maxPerDigit(train);
        if (request.perDigit() > maxPerDigit) {
            throw new UserException(
                    "--n must be at most "
                            + maxPerDigit
                            + " (training images of the rarest digit, for the floor), got "
                            + request.perDigit());
        }
        try (MnistClassifier classifier =
                MnistClassifier.loadOrTrain(
                        classifierFile, mnist, manager, MnistClassifier.DEFAULT_SEED)) {
            Evaluator evaluator = new Evaluator(classifier, train, test);
            List<Integer> evaluated =
                    request.digits().isEmpty()
                            ? IntStream.range(0, 10).boxed().toList()
                            : request.digits();
            Evaluator.Result result =
                    evaluator.evaluate(
                            generator, file, settings, evaluated, request.perDigit(), manager);
            result.write(json, png);
            AtomicFiles.writeString(html, EvalSection.page(result, file, settings.maxBatch()));
            return new Outcome(result.report(), json, png, html);
        }
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
     * when they apply: the Fréchet distances of different {@code --n} do not compare, so each has
     * its own report.
     */
    static String outputName(Generator generator, SamplingSettings settings, Request request) {
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
        name.append("-seed").append(settings.seed()).append("-n").append(request.perDigit());
        if (request.noEma()) {
            name.append("-no-ema");
        }
        if (!request.digits().isEmpty()) {
            name.append("-digits-");
            request.digits().forEach(name::append);
        }
        return name.toString();
    }

    /** {@code v} without a fraction when it is whole: 2 rather than 2.0. */
    public static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
