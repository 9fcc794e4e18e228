package dev.ddpm.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.data.EpochOrder;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.diffusion.DdimSampler;
import dev.ddpm.diffusion.DiffusionLoss;
import dev.ddpm.diffusion.NoiseModel;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.ImageGrid;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.TrainingState;
import dev.ddpm.model.UNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop of one run: Adam on the noise-prediction loss, with gradient clipping, EMA, label
 * dropout, periodic logging, checkpoints and sample grids.
 *
 * <p>Everything random in step {@code s} is drawn after seeding libtorch with {@code mix(seed, s)}, and
 * the data order of epoch {@code e} is {@code EpochOrder(size, seed).permutation(e)}, so the whole random
 * state of a run is (seed, step, epoch, batch in epoch): a resumed run repeats the uninterrupted one.
 *
 * <p>A step copies nothing to the host: the loss is summed on the device and read every
 * {@code log_every_steps} steps, when it is also checked for NaN and infinity (and before every
 * checkpoint, so that a checkpoint never holds a diverged model).
 */
public final class Trainer implements AutoCloseable {

    /** How a call to {@link #run} ended. */
    public enum Outcome {
        /** All epochs done. */
        COMPLETED,
        /** Stopped early by {@link #requestStop} or a step limit; a checkpoint holds the state. */
        STOPPED
    }

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    /** Seed of the preview grids: the same starting noise at every step, so that grids compare. */
    static final long SAMPLE_SEED = 20_240_601L;
    /** Images per digit in a preview grid. */
    private static final int SAMPLE_ROWS = 2;
    private static final int SAMPLE_SCALE = 2;

    private final DdpmConfig config;
    private final TrainConfig train;
    private final MnistDataset data;
    private final int size;
    private final int batches;
    private final EpochOrder order;
    private final NDManager manager;
    private final UNet model;
    private final List<NDArray> weights;
    private final NoiseModel trainingModel;
    private final NoiseSchedule schedule;
    private final DiffusionLoss loss;
    private final AdamOptimizer adam;
    private final LearningRate learningRate;
    private final Ema ema;
    private final NDArray noLabel;
    /** {@code train.label_dropout} as a scalar of the trainer's own (see {@link NativeArrays}). */
    private final NDArray labelDropout;
    private final GradientClipping clipping;
    private final NDArray lossSum;
    private final Progress progress;
    private UNet samplingModel;
    private volatile boolean stopRequested;

    private long step;
    private int epoch;
    private int batchInEpoch;
    private int stepsSinceLog;
    private long imagesSinceLog;
    private long lastLogNanos;
    private long lastCheckpointStep = -1;
    private long lastSampleStep = -1;
    private int[] permutation;
    private int permutationEpoch = -1;

    /**
     * Builds a freshly initialized model (seeded by {@code train.seed}) on {@code device}.
     *
     * @param data the training images; the first {@code train.train_limit} are used (all when 0)
     */
    public Trainer(DdpmConfig config, MnistDataset data, Device device) {
        this.config = config;
        this.train = config.train();
        this.data = data;
        this.size = train.trainLimit() > 0 ? Math.min(train.trainLimit(), data.size()) : data.size();
        this.batches = (size + train.batchSize() - 1) / train.batchSize();
        this.order = new EpochOrder(size, train.seed());
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        JniUtils.setSeed(train.seed());
        this.model = UNet.create(config.model(), manager);
        Map<String, NDArray> named = model.weights();
        this.weights = new ArrayList<>(named.values());
        weights.forEach(w -> w.setRequiresGradient(true));
        this.trainingModel = model.noiseModel(new ParameterStore(manager, false), true);
        this.schedule = NoiseSchedule.create(config.diffusion(), manager);
        this.loss = DiffusionLoss.of(config.diffusion().loss());
        this.adam = new AdamOptimizer(named, train.adamBeta1(), train.adamBeta2(), train.adamEps(), manager);
        this.learningRate = LearningRate.of(train, totalSteps());
        this.ema = train.emaDecay() > 0 ? new Ema(named, Ema.Warmup.of(train), manager) : null;
        this.noLabel = NativeArrays.filled(manager, new Shape(), -1);
        this.labelDropout = NativeArrays.scalar(manager, (float) train.labelDropout());
        this.clipping = train.gradClip() > 0 ? new GradientClipping((float) train.gradClip(), manager) : null;
        this.lossSum = manager.zeros(new Shape(), DataType.FLOAT32);
        this.progress = Progress.forConsole(train.epochs());
    }

    /** Continues from a checkpoint of this run: weights, EMA, optimizer moments and position. */
    public void resume(Path checkpointFile) throws IOException {
        try (NDManager temp = manager.newSubManager()) {
            Checkpoint c = Checkpoint.read(checkpointFile, temp);
            TrainingState s = c.state();
            if (s == null) {
                throw new IllegalArgumentException(checkpointFile + " holds no training state (imported weights?);"
                        + " it can be sampled from but not resumed");
            }
            model.loadWeights(c.model());
            adam.load(c.optimizer(), s.step());
            if (ema != null) {
                ema.load(c.ema(), s.emaUpdates());
            }
            step = s.step();
            epoch = s.epoch();
            batchInEpoch = s.batchInEpoch();
            lastCheckpointStep = step;
        }
        LOG.info("resumed from {} at step {} (epoch {}, batch {} of {})", checkpointFile, step, epoch + 1,
                batchInEpoch, batches);
    }

    /** Asks the loop to stop after the current step and write a checkpoint; safe from any thread. */
    public void requestStop() {
        stopRequested = true;
    }

    public TrainingState state() {
        return new TrainingState(step, epoch, batchInEpoch, train.seed(), ema != null ? ema.updates() : 0);
    }

    /** Training images used ({@code train.train_limit} of the dataset, or all). */
    public int trainingImages() {
        return size;
    }

    public int batchesPerEpoch() {
        return batches;
    }

    public long totalSteps() {
        return (long) train.epochs() * batches;
    }

    /** The model being trained (live weights). */
    public UNet model() {
        return model;
    }

    /** Trains to the end of {@code train.epochs}, writing everything into {@code run}. */
    public Outcome run(RunDirectory run) throws IOException {
        return run(run, Long.MAX_VALUE);
    }

    /**
     * Trains until all epochs are done, {@link #requestStop} is called, or {@code stopAtStep} steps have
     * been taken; the state is then saved to a checkpoint.
     *
     * @throws TrainingDivergedException when the loss or the weights become NaN or infinite; no checkpoint
     *     is written then, so the last one stays the last good one
     */
    public Outcome run(RunDirectory run, long stopAtStep) throws IOException {
        Files.createDirectories(run.samples());
        MetricsLog metrics = new MetricsLog(run.metrics(), run.lossPlot(), step);
        lastLogNanos = System.nanoTime();
        while (epoch < train.epochs()) {
            progress.startEpoch(epoch, batchInEpoch, batches);
            boolean epochEnd = false;
            while (!epochEnd) {
                if (stopRequested || step >= stopAtStep) {
                    progress.clearLine();
                    checkpoint(run);
                    return Outcome.STOPPED;
                }
                int stepEpoch = epoch;
                step();
                epochEnd = epoch != stepEpoch;
                progress.onStep(step, epochEnd ? batches : batchInEpoch, train.batchSize());
                if (step % train.logEverySteps() == 0) {
                    log(metrics, stepEpoch);
                }
                if (epochEnd || step % train.checkpointEverySteps() == 0) {
                    checkpoint(run);
                }
                if (train.sampleEverySteps() > 0 && step % train.sampleEverySteps() == 0) {
                    writeSamples(run);
                }
            }
        }
        if (stepsSinceLog > 0) {
            log(metrics, epoch - 1);
        }
        checkpoint(run);
        if (train.sampleEverySteps() > 0 && lastSampleStep != step) {
            writeSamples(run);
        }
        return Outcome.COMPLETED;
    }

    /**
     * One optimizer step on the next batch of the data order; nothing is read back to the host.
     */
    public void step() {
        if (permutationEpoch != epoch) {
            permutation = order.permutation(epoch);
            permutationEpoch = epoch;
        }
        int from = batchInEpoch * train.batchSize();
        int[] indices = Arrays.copyOfRange(permutation, from, Math.min(from + train.batchSize(), size));
        JniUtils.setSeed(mix(train.seed(), step));
        try (NDManager s = manager.newSubManager()) {
            NDList batch = data.batch(s, indices);
            NDArray x0 = batch.get(0);
            NDArray labels = batch.get(1);
            NDArray t = schedule.sampleTimesteps(s, indices.length);
            NDArray noise = s.randomNormal(x0.getShape());
            if (train.labelDropout() > 0) {
                NDArray keep = s.randomUniform(0f, 1f, new Shape(indices.length)).gte(labelDropout);
                labels = labels.getNDArrayInternal().where(keep, noLabel);
            }
            NDArray xt = schedule.qSample(x0, t, noise);
            NDArray stepLoss;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                stepLoss = loss.loss(noise, trainingModel.predictNoise(xt, t, labels));
                collector.backward(stepLoss);
            }
            lossSum.addi(stepLoss);
            List<NDArray> gradients = new ArrayList<>(weights.size());
            for (NDArray w : weights) {
                NDArray g = w.getGradient();
                g.attach(s);
                gradients.add(g);
            }
            if (clipping != null) {
                clipping.clipGlobalNorm(gradients);
            }
            adam.step(gradients, learningRate.at(step));
            if (ema != null) {
                ema.update();
            }
        }
        step++;
        stepsSinceLog++;
        imagesSinceLog += indices.length;
        if (++batchInEpoch == batches) {
            epoch++;
            batchInEpoch = 0;
        }
    }

    /**
     * Waits for the device and returns the mean loss of the steps since the previous call (NaN when
     * there were none), then starts a new sum.
     */
    public double meanLossSinceLastRead() {
        double mean = stepsSinceLog == 0 ? Double.NaN : lossSum.getFloat() / (double) stepsSinceLog;
        if (Double.isFinite(mean)) {
            lossSum.subi(lossSum);
        }
        stepsSinceLog = 0;
        return mean;
    }

    private void log(MetricsLog metrics, int stepEpoch) throws IOException {
        long images = imagesSinceLog;
        double mean = meanLossSinceLastRead();
        if (!Double.isFinite(mean)) {
            throw diverged("the loss became " + mean);
        }
        long now = System.nanoTime();
        double imagesPerSecond = images / ((now - lastLogNanos) / 1e9);
        MetricsLog.Entry e = new MetricsLog.Entry(step, stepEpoch, mean, learningRate.at(step - 1), imagesPerSecond,
                Instant.now().toString());
        metrics.append(e);
        metrics.plot();
        progress.onLog(e, totalSteps());
        imagesSinceLog = 0;
        lastLogNanos = System.nanoTime();
    }

    /** Writes a checkpoint of the current state (once per step) and deletes all but the newest K. */
    private void checkpoint(RunDirectory run) throws IOException {
        if (lastCheckpointStep == step) {
            return;
        }
        long started = System.nanoTime();
        requireFinite();
        Path file = run.checkpoint(step);
        new Checkpoint(config, model.weights(), ema != null ? ema.weights() : Map.of(), adam.state(), state())
                .write(file);
        lastCheckpointStep = step;
        List<Path> all = run.checkpoints();
        for (Path old : all.subList(0, Math.max(0, all.size() - train.keepCheckpoints()))) {
            Files.deleteIfExists(old);
        }
        LOG.debug("checkpoint {}", file);
        lastLogNanos += System.nanoTime() - started;
    }

    /** The loss since the last log and every weight must be finite before they are saved. */
    private void requireFinite() {
        try (NDManager s = manager.newSubManager()) {
            NDList sums = new NDList(weights.size() + 1);
            sums.add(lossSum.duplicate());
            weights.forEach(w -> sums.add(w.sum()));
            sums.forEach(a -> a.attach(s));
            float total = NDArrays.stack(sums).sum().getFloat();
            if (!Float.isFinite(total)) {
                throw diverged("the loss or the weights became NaN or infinite");
            }
        }
    }

    private TrainingDivergedException diverged(String what) {
        progress.clearLine();
        return new TrainingDivergedException("training diverged at step " + step + ": " + what
                + "; no checkpoint was written for it, the last good one is kept (" + (lastCheckpointStep >= 0
                ? "step " + lastCheckpointStep : "none yet") + "). Try a lower train.lr or set train.grad_clip");
    }

    /**
     * A grid of every digit, {@value #SAMPLE_ROWS} rows, from the EMA weights and a fixed seed, sampled with
     * DDIM (eta 0) and plain conditional prediction (no guidance).
     */
    private void writeSamples(RunDirectory run) throws IOException {
        long started = System.nanoTime();
        ModelConfig mc = config.model();
        UNet source = model;
        if (ema != null) {
            if (samplingModel == null) {
                samplingModel = UNet.create(mc, manager);
            }
            samplingModel.loadWeights(ema.weights());
            source = samplingModel;
        }
        try (NDManager s = manager.newSubManager()) {
            NDArray labels = s.arange(0, mc.numClasses(), 1, DataType.INT64).tile(SAMPLE_ROWS);
            NDArray images = new DdimSampler(train.sampleSteps(), 0.0).sample(source.frozenNoiseModel(s), schedule,
                    labels, 0.0, SAMPLE_SEED, new Shape(mc.inChannels(), mc.imageSize(), mc.imageSize()), null);
            Path png = run.samples().resolve(String.format("step-%08d.png", step));
            ImageGrid.write(images, mc.numClasses(), SAMPLE_SCALE, png);
            LOG.debug("samples {}", png);
        }
        lastSampleStep = step;
        lastLogNanos += System.nanoTime() - started;
    }

    /** Seed of step {@code step}: SplitMix64 of the pair, so that neighbouring steps get unrelated streams. */
    static long mix(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    @Override
    public void close() {
        manager.close();
    }
}
