package dev.ddpm.report;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.data.MnistFiles;
import dev.ddpm.eval.Evaluator;
import dev.ddpm.eval.ImageClassifier;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.ImageGrid;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.model.UNet;
import dev.ddpm.train.DiffusionTrainer;
import dev.ddpm.train.StepEvent;
import dev.ddpm.train.TrainingLoop;
import dev.ddpm.train.TrainingLoopListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-training evaluation: every {@code train.eval_every_steps} steps and at the end of a run
 * that completes, {@code ddpm eval} of the weights samples are drawn with (the EMA when there is
 * one) with {@code train.eval_images_per_class} images per class, sampled as {@code
 * train.eval_sampler}, {@code train.eval_steps}, {@code train.eval_spacing}, {@code train.eval_eta}
 * and {@code train.eval_guidance} say (the settings {@code ddpm sample} and {@code ddpm eval} use
 * by default for its checkpoints), seed {@value #SEED}. The numbers go to {@code metrics.jsonl} and
 * the log, the judged images to {@code quality/step-N.png}, and the best checkpoint (see {@link
 * BestCheckpoint}) to {@code best.safetensors}.
 *
 * <p>The classifier, the MNIST images and the real side of the Frechet distances are loaded or
 * computed at the first evaluation and kept for the others.
 */
public final class QualityCheck implements TrainingLoopListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QualityCheck.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<Integer> CLASSES =
            IntStream.range(0, MnistDataset.NUM_CLASSES).boxed().toList();

    /**
     * Images per batch through the model: on a CPU small batches take less time per image (at 20
     * images per class, DDIM 10 and guidance, batches of 50 took 28% less time than one of 200).
     */
    static final int BATCH = 50;

    /** The seed of the evaluated images: {@code ddpm eval}'s default, so its numbers agree. */
    static final long SEED = 0;

    private final RunDirectory run;
    private final LabeledImages trainingImages;
    private final Path classifierFile;
    private final Device device;
    private final TrainConfig train;
    private final BestCheckpoint best;
    private NDManager manager;
    private ImageClassifier classifier;
    private Evaluator evaluator;
    private UNet sampling;
    private long lastEvaluated = -1;

    /**
     * The evaluation of a run whose trainer stands at {@code trainer.stepsDone()}: the evaluations
     * already in {@code metrics.jsonl} up to that step decide the best checkpoint so far.
     *
     * @param trainingImages the MNIST training images the trainer trains on (the floor's images,
     *     and the classifier's when it is trained)
     * @param classifierFile the cached classifier, trained there when absent
     */
    public QualityCheck(
            DiffusionTrainer trainer,
            LabeledImages trainingImages,
            RunDirectory run,
            Path classifierFile,
            Device device)
            throws IOException {
        this.run = run;
        this.trainingImages = trainingImages;
        this.classifierFile = classifierFile;
        this.device = device;
        this.train = trainer.config().train();
        List<QualityLine> history =
                MetricsLines.read(run.metrics()).evaluations().stream()
                        .filter(line -> line.step() <= trainer.stepsDone())
                        .toList();
        this.best = BestCheckpoint.of(run, history);
        if (!history.isEmpty()) {
            lastEvaluated = history.get(history.size() - 1).step();
        }
    }

    /**
     * Whether {@code config} asks for in-training evaluations that can be made: some images per
     * class, of MNIST digits the classifier judges; says why not in the log otherwise.
     */
    public static boolean applies(DdpmConfig config) {
        if (config.train().evalImagesPerClass() == 0) {
            return false;
        }
        Shape image =
                new Shape(
                        config.model().inChannels(),
                        config.model().imageSize(),
                        config.model().imageSize());
        if (config.train().dataset() != TrainConfig.Dataset.MNIST
                || !image.equals(new Shape(1, MnistDataset.IMAGE_SIZE, MnistDataset.IMAGE_SIZE))) {
            LOG.info(
                    "no in-training evaluation: its classifier judges 1x32x32 MNIST digits, this"
                            + " run trains {} {} images",
                    config.train().dataset().configName(),
                    image);
            return false;
        }
        return true;
    }

    @Override
    public void onStep(DiffusionTrainer trainer, StepEvent event) throws IOException {
        int every = train.evalEverySteps();
        if (every > 0 && event.step() % every == 0) {
            evaluate(trainer, event.epoch());
        }
    }

    @Override
    public void onEnd(DiffusionTrainer trainer, TrainingLoop.Outcome outcome) throws IOException {
        if (outcome == TrainingLoop.Outcome.COMPLETED) {
            evaluate(trainer, trainer.epoch() - 1);
        }
    }

    private void evaluate(DiffusionTrainer trainer, int epoch) throws IOException {
        long step = trainer.stepsDone();
        if (step == lastEvaluated) {
            return;
        }
        long started = System.nanoTime();
        DdpmConfig config = trainer.config();
        if (evaluator == null) {
            open(config);
        }
        sampling.loadWeights(trainer.samplingWeights());
        Evaluator.Result result;
        try (NDManager scope = manager.newSubManager()) {
            Generator generator =
                    Generator.of(
                            config,
                            sampling,
                            trainer.hasEma() ? Generator.Weights.EMA : Generator.Weights.TRAINED,
                            step,
                            scope);
            result =
                    evaluator.evaluate(
                            generator,
                            run.checkpoint(step),
                            settings(),
                            CLASSES,
                            train.evalImagesPerClass(),
                            scope);
        }
        Quality q = Quality.of(result.report(), BATCH, (System.nanoTime() - started) / 1e9);
        QualityLine line = new QualityLine(step, epoch, q, Instant.now().toString());
        AtomicFiles.appendLine(run.metrics(), JSON.writeValueAsString(line));
        ImageGrid.writePng(
                MarkedGrid.render(result),
                run.quality().resolve(String.format("step-%08d.png", step)));
        lastEvaluated = step;
        boolean isBest = best.offer(line, trainer::snapshot);
        LOG.info(
                "step {} eval: {} correct (worst class {}: {}), Frechet distance {} ({} its floor"
                        + " {}), {} s{}",
                step,
                Numbers.percent(q.accuracy()),
                q.worstClass(),
                Numbers.percent(q.worstClassAccuracy()),
                Numbers.distance(q.frechetDistance()),
                Numbers.ratio(q.frechetRatio()),
                Numbers.distance(q.frechetDistanceFloor()),
                String.format(Locale.ROOT, "%.1f", q.seconds()),
                isBest ? "; the best so far: " + run.best() : "");
    }

    /** The sampler settings of every evaluation of the run. */
    SamplingSettings settings() {
        return SamplingSettings.judging(train, SEED).withMaxBatch(BATCH);
    }

    private void open(DdpmConfig config) throws IOException {
        long started = System.nanoTime();
        manager = NDManager.newBaseManager(device);
        Path mnist = MnistFiles.folder(Path.of(config.train().dataDir()), "mnist");
        MnistFiles.ensureFiles(mnist, "mnist");
        LabeledImages testImages = MnistDataset.load(mnist, "mnist", false);
        classifier =
                ImageClassifier.loadOrTrain(
                        classifierFile,
                        trainingImages,
                        testImages,
                        manager,
                        ImageClassifier.DEFAULT_SEED);
        evaluator = new Evaluator(classifier, trainingImages, testImages);
        evaluator.prepare(CLASSES, train.evalImagesPerClass(), manager);
        sampling = UNet.create(config.model(), manager);
        Files.createDirectories(run.quality());
        LOG.info(
                "in-training evaluation ready in {} s (once per session): classifier {}, MNIST"
                        + " test images' features and the floor",
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9),
                classifierFile);
    }

    /** The best checkpoint so far. */
    public BestCheckpoint bestCheckpoint() {
        return best;
    }

    @Override
    public void close() {
        if (classifier != null) {
            classifier.close();
        }
        if (manager != null) {
            manager.close();
        }
    }
}
