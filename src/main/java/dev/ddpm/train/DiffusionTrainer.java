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
import dev.ddpm.common.Seeds;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.diffusion.DiffusionLoss;
import dev.ddpm.diffusion.NoiseModel;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.TrainingState;
import dev.ddpm.model.UNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training of one model: its assembly (U-Net, forward process, loss, Adam, EMA, learning rate,
 * data cursor), one optimizer {@link #step} at a time, and its state. What happens around the steps
 * (logging, checkpoints, divergence checks, previews) is the business of {@link TrainingLoop} and
 * its listeners.
 *
 * <p>Everything random in step {@code s} is drawn after seeding libtorch with {@code
 * Seeds.mix(seed, s)}, and the data order of epoch {@code e} is {@code EpochOrder(size,
 * seed).permutation(e)}, so the whole random state of a run is (seed, step, epoch, batch in epoch):
 * a resumed run repeats the uninterrupted one.
 *
 * <p>A step copies nothing to the host: the loss is summed on the device and read by {@link
 * #meanLossSinceLastRead}.
 */
public final class DiffusionTrainer implements AutoCloseable {

    private final DdpmConfig config;
    private final TrainConfig train;
    private final LabeledImages data;
    private final DataCursor cursor;
    private final NDManager manager;
    private final UNet model;
    private final List<NDArray> weights;
    private final NoiseModel trainingModel;
    private final ForwardProcess forward;
    private final DiffusionLoss loss;
    private final AdamOptimizer adam;
    private final LearningRate learningRate;
    private final Ema ema;
    private final GradientClipping clipping;
    private final LabelDropout labelDropout;

    private final NDArray lossSum;
    private long step;
    private int stepsSinceRead;

    /**
     * Builds a freshly initialized model (seeded by {@code train.seed}) on {@code device}.
     *
     * @param data the training images; the first {@code train.train_limit} are used (all when 0)
     */
    public DiffusionTrainer(DdpmConfig config, LabeledImages data, Device device) {
        this.config = config;
        this.train = config.train();
        this.data = data;
        int images =
                train.trainLimit() > 0 ? Math.min(train.trainLimit(), data.size()) : data.size();
        this.cursor = new DataCursor(images, train.batchSize(), train.seed());
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        JniUtils.setSeed(train.seed());
        this.model = UNet.create(config.model(), manager);
        Map<String, NDArray> named = model.weights();
        this.weights = new ArrayList<>(named.values());
        weights.forEach(w -> w.setRequiresGradient(true));
        this.trainingModel = model.noiseModel(new ParameterStore(manager, false), true);
        this.forward =
                new ForwardProcess(
                        NoiseSchedule.create(config.diffusion()), train.minSnrGamma(), manager);
        this.loss = DiffusionLoss.of(config.diffusion().loss());
        this.adam =
                new AdamOptimizer(
                        named, train.adamBeta1(), train.adamBeta2(), train.adamEps(), manager);
        this.learningRate = LearningRate.of(train, totalSteps());
        this.ema = train.emaDecay() > 0 ? new Ema(named, Ema.Warmup.of(train), manager) : null;
        this.clipping =
                train.gradClip() > 0
                        ? new GradientClipping((float) train.gradClip(), manager)
                        : null;
        this.labelDropout = new LabelDropout(train.labelDropout(), manager);
        this.lossSum = manager.zeros(new Shape(), DataType.FLOAT32);
    }

    /** Continues from a checkpoint of this run: weights, EMA, optimizer moments and position. */
    public void resume(Path checkpointFile) throws IOException {
        try (NDManager temp = manager.newSubManager()) {
            Checkpoint.readHeader(checkpointFile).requireResumable(checkpointFile);
            Checkpoint c = Checkpoint.read(checkpointFile, temp);
            ResumeCheck.requireSameClasses(checkpointFile, c.classes(), data.classes());
            TrainingState s = c.state();
            s.requireWithin(checkpointFile, cursor.batchesPerEpoch());
            model.loadWeights(c.model());
            adam.load(c.optimizer(), s.step());
            if (ema != null) {
                ema.load(c.ema(), s.emaUpdates());
            }
            step = s.step();
            cursor.moveTo(s.epoch(), s.batchInEpoch());
        }
    }

    /** One optimizer step on the next batch of the data order; nothing is read back to the host. */
    public void step() {
        int[] indices = cursor.batch();
        JniUtils.setSeed(Seeds.mix(train.seed(), step));
        try (NDManager s = manager.newSubManager()) {
            NDList batch = data.batch(s, indices);
            NDArray x0 = batch.get(0);
            NDArray t = forward.sampleTimesteps(s, indices.length);
            NDArray noise = s.randomNormal(x0.getShape());
            NDArray labels = labelDropout.apply(batch.get(1));
            NDArray xt = forward.qSample(x0, t, noise);
            NDArray lossWeights = forward.lossWeights(t);
            NDArray stepLoss;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray predicted = trainingModel.predictNoise(xt, t, labels);
                stepLoss =
                        lossWeights == null
                                ? loss.loss(noise, predicted)
                                : loss.loss(noise, predicted, lossWeights);
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
        stepsSinceRead++;
        cursor.advance();
    }

    /**
     * Waits for the device and returns the mean loss of the steps since the previous call (NaN when
     * there were none), then starts a new sum.
     */
    public double meanLossSinceLastRead() {
        double mean =
                stepsSinceRead == 0 ? Double.NaN : lossSum.getFloat() / (double) stepsSinceRead;
        if (Double.isFinite(mean)) {
            lossSum.subi(lossSum);
        }
        stepsSinceRead = 0;
        return mean;
    }

    /**
     * Whether the loss since the last read and every weight are finite (one read from the device).
     */
    public boolean isFinite() {
        try (NDManager s = manager.newSubManager()) {
            NDList sums = new NDList(weights.size() + 1);
            sums.add(lossSum.duplicate());
            weights.forEach(w -> sums.add(w.sum()));
            sums.forEach(a -> a.attach(s));
            return Float.isFinite(NDArrays.stack(sums).sum().getFloat());
        }
    }

    /**
     * The current state as a checkpoint: configuration, weights, EMA, optimizer moments and
     * position.
     */
    public Checkpoint snapshot() {
        return new Checkpoint(
                config,
                model.weights(),
                ema != null ? ema.weights() : Map.of(),
                adam.state(),
                state(),
                data.classes());
    }

    public TrainingState state() {
        return new TrainingState(
                step,
                cursor.epoch(),
                cursor.batchInEpoch(),
                train.seed(),
                ema != null ? ema.updates() : 0);
    }

    public DdpmConfig config() {
        return config;
    }

    /** Steps taken so far. */
    public long stepsDone() {
        return step;
    }

    /** The epoch in progress (0-based). */
    public int epoch() {
        return cursor.epoch();
    }

    /** Batches of the current epoch already done. */
    public int batchInEpoch() {
        return cursor.batchInEpoch();
    }

    /** The learning rate of the last step taken (of the first, before any). */
    public double lastLearningRate() {
        return learningRate.at(Math.max(0, step - 1));
    }

    /** Training images used ({@code train.train_limit} of the dataset, or all). */
    public int trainingImages() {
        return cursor.images();
    }

    public int batchesPerEpoch() {
        return cursor.batchesPerEpoch();
    }

    public long totalSteps() {
        return (long) train.epochs() * cursor.batchesPerEpoch();
    }

    /** The model being trained (live weights). */
    public UNet model() {
        return model;
    }

    /** The weights to sample previews with: the EMA when there is one, else the live weights. */
    public Map<String, NDArray> samplingWeights() {
        return ema != null ? ema.weights() : model.weights();
    }

    /** Whether {@link #samplingWeights} are an EMA. */
    public boolean hasEma() {
        return ema != null;
    }

    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
