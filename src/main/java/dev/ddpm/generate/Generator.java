package dev.ddpm.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.common.Seeds;
import dev.ddpm.common.UserException;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.diffusion.NoiseModel;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.diffusion.ReverseProcess;
import dev.ddpm.diffusion.SamplingListener;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.ClassNames;
import dev.ddpm.model.UNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model ready to generate digits: its configuration, its noise predictor with the convolution
 * kernels computed once, its noise schedule and which weights it holds. {@link #generate} is the
 * one way images are made, by {@code sample}, {@code gif}, {@code eval}, {@code bench} and the
 * training previews.
 */
public final class Generator {

    private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

    /** Which weights of a checkpoint a generator holds. */
    public enum Weights implements dev.ddpm.config.ConfigChoice {
        /** The exponential moving average of the trained weights. */
        EMA,
        /** The weights as the optimizer left them. */
        TRAINED
    }

    /** Generated images on the host, {@code [N, C, H, W]} in [-1, 1], and what they cost. */
    public record Images(float[] pixels, Shape shape, int steps, double seconds) {

        public double millisPerStep() {
            return 1000 * seconds / steps;
        }
    }

    private final DdpmConfig config;
    private final NoiseModel model;
    private final NoiseSchedule schedule;
    private final Weights weights;
    private final Long step;
    private final Path source;
    private final List<String> classes;
    private final NDManager manager;

    private Generator(
            DdpmConfig config,
            NoiseModel model,
            Weights weights,
            Long step,
            Path source,
            List<String> classes,
            NDManager manager) {
        this.config = config;
        this.classes = classes;
        this.model = model;
        this.schedule = NoiseSchedule.create(config.diffusion());
        this.weights = weights;
        this.step = step;
        this.source = source;
        this.manager = manager;
    }

    /**
     * The model of a checkpoint, with its EMA weights when it has them and {@code preferEma}, else
     * the trained ones; the weights live on {@code manager} (and its device) until it is closed.
     *
     * @throws UserException naming the file when it cannot be read or does not fit its own
     *     configuration
     */
    public static Generator open(Path checkpoint, boolean preferEma, NDManager manager) {
        try (NDManager reading = manager.newSubManager()) {
            Checkpoint read = Checkpoint.read(checkpoint, reading);
            if (!preferEma && read.model().isEmpty()) {
                throw new UserException(
                        checkpoint
                                + " holds only EMA weights (a sampling checkpoint);"
                                + " sample without --no-ema");
            }
            Map<String, NDArray> chosen = read.samplingWeights(preferEma);
            Weights weights =
                    chosen == read.ema() && !read.ema().isEmpty() ? Weights.EMA : Weights.TRAINED;
            UNet unet = UNet.create(read.config().model(), manager);
            try {
                unet.loadWeights(chosen);
            } catch (IllegalArgumentException e) {
                throw new UserException(
                        checkpoint
                                + " does not match its own model configuration: "
                                + e.getMessage().replaceAll("\\s*\\R\\s*", "; "));
            }
            Long step = read.state() == null ? null : read.state().step();
            LOG.info(
                    "checkpoint {} ({} weights{})",
                    checkpoint,
                    weights.configName(),
                    step == null ? "" : ", step " + step);
            return new Generator(
                    read.config(),
                    unet.frozenNoiseModel(manager),
                    weights,
                    step,
                    checkpoint,
                    read.classes(),
                    manager);
        } catch (IOException e) {
            throw new UserException("cannot read checkpoint " + checkpoint + ": " + e, e);
        }
    }

    /** A model in memory (training previews, benchmarks); valid while its weights do not change. */
    public static Generator of(
            DdpmConfig config, UNet model, Weights weights, Long step, NDManager manager) {
        return new Generator(
                config,
                model.frozenNoiseModel(manager),
                weights,
                step,
                null,
                ClassNames.numbered(config.model().numClasses()),
                manager);
    }

    public DdpmConfig config() {
        return config;
    }

    /**
     * How to sample when nothing is asked for: how its recipe is judged ({@code
     * train.eval_sampler}, {@code train.eval_steps}, {@code train.eval_spacing}, {@code
     * train.eval_eta}, {@code train.eval_guidance}; DPM-Solver++ at 10 steps, trailing, guidance
     * 0.5 for the shipped model, at 15 steps evenly in log-SNR and 0.75 for the quick recipe, the
     * fewest steps and the spacing and guidance measured best for them), at most the steps the
     * schedule has.
     */
    public SamplingSettings recommendedSettings(long seed) {
        SamplingSettings judging = SamplingSettings.judging(config.train(), seed);
        return judging.withSteps(Math.min(judging.steps(), judging.maxSteps(schedule)));
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    public Weights weights() {
        return weights;
    }

    /** The checkpoint file it was loaded from, or null for a model in memory. */
    public Path source() {
        return source;
    }

    /** The class names, in label order ({@code "0"} to {@code "9"} for MNIST's digits). */
    public List<String> classes() {
        return classes;
    }

    /** The training step of the checkpoint, or null for imported weights. */
    public Long step() {
        return step;
    }

    /** {@code [C, H, W]} of one image. */
    public Shape imageShape() {
        ModelConfig m = config.model();
        return new Shape(m.inChannels(), m.imageSize(), m.imageSize());
    }

    /**
     * Images per batch when the settings leave it open: batches of this size run several times
     * faster per image on the CPU than one batch of a thousand (whose activations no longer fit the
     * caches); a GPU takes larger ones.
     */
    public int automaticBatch() {
        return manager.getDevice().isGpu() ? AUTOMATIC_BATCH_GPU : AUTOMATIC_BATCH_CPU;
    }

    /**
     * Images per batch under {@code settings}: its cap, or {@link #automaticBatch()} without one.
     */
    public int batchSize(SamplingSettings settings) {
        return settings.maxBatch() != null ? settings.maxBatch() : automaticBatch();
    }

    static final int AUTOMATIC_BATCH_CPU = 50;
    static final int AUTOMATIC_BATCH_GPU = 500;

    /**
     * Images of {@code labels} (a negative label: no label), in batches of at most {@code
     * settings.maxBatch()} images ({@link #automaticBatch()} when null). Image {@code k} starts
     * from noise seeded by {@code Seeds.mix(seed, k)} alone, so deterministic samplers (DDIM with
     * eta 0, DPM-Solver++) give the same images for any batching and device; a stochastic sampler's
     * noise along the way is drawn per batch ({@code Seeds.mix(~seed, i)} for batch {@code i}), so
     * its images are the same for the same settings, batch size and device. The listener sees every
     * step of every batch, in order.
     */
    public Images generate(long[] labels, SamplingSettings settings, SamplingListener listener) {
        ReverseProcess process = new ReverseProcess(settings.samplerFor(schedule), schedule);
        Shape shape = new Shape(labels.length).addAll(imageShape());
        float[] pixels = new float[Math.toIntExact(shape.size())];
        int imageSize = Math.toIntExact(imageShape().size());
        int batchSize = batchSize(settings);
        long started = System.nanoTime();
        for (int from = 0, batch = 0; from < labels.length; from += batchSize, batch++) {
            int to = (int) Math.min(labels.length, (long) from + batchSize);
            long[] seeds = new long[to - from];
            for (int k = from; k < to; k++) {
                seeds[k - from] = Seeds.mix(settings.seed(), k);
            }
            try (NDManager scope = manager.newSubManager()) {
                NDArray noise = ReverseProcess.initialNoise(scope, imageShape(), seeds);
                JniUtils.setSeed(Seeds.mix(~settings.seed(), batch));
                NDArray images =
                        process.run(
                                model,
                                NativeArrays.copyOf(scope, Arrays.copyOfRange(labels, from, to)),
                                settings.guidance(),
                                noise,
                                listener);
                float[] values = images.toFloatArray();
                System.arraycopy(values, 0, pixels, from * imageSize, values.length);
            }
            if (to < labels.length) {
                LOG.info("generated {}/{} images", to, labels.length);
            }
        }
        Images result =
                new Images(pixels, shape, process.steps(), (System.nanoTime() - started) / 1e9);
        LOG.debug(
                "{} images, {} {} steps in {} s ({} ms per step)",
                labels.length,
                result.steps(),
                settings.sampler().configName(),
                String.format("%.2f", result.seconds()),
                String.format("%.1f", result.millisPerStep()));
        return result;
    }
}
