package dev.ddpm.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;

/**
 * What {@code ddpm bench} measures: training steps on real batches, and sampling with a model's
 * weights. Training time is taken twice: when the host has issued the steps, and when the device
 * has finished them (one read at the end); on a GPU the first is shorter when the host runs ahead
 * of the device, which it can only do because a step reads nothing back.
 */
public final class Benchmark {

    /**
     * Training at one batch size; {@code deviceBytes} is the memory in use on a GPU (-1 on the
     * CPU).
     */
    public record Training(
            int batch,
            int steps,
            double hostMillisPerStep,
            double millisPerStep,
            long deviceBytes) {

        public double imagesPerSecond() {
            return batch * 1000.0 / millisPerStep;
        }
    }

    /** One sampling run: {@code images} images through {@code steps} reverse steps. */
    public record Sampling(String sampler, int images, int steps, double seconds) {}

    private Benchmark() {}

    /**
     * Times {@code steps} training steps after {@code warmup} untimed ones; the trainer is left for
     * sampling.
     */
    public static Training training(DiffusionTrainer trainer, int warmup, int steps) {
        Device device = trainer.model().getParameters().valueAt(0).getArray().getDevice();
        for (int i = 0; i < warmup; i++) {
            trainer.step();
        }
        trainer.meanLossSinceLastRead();
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            trainer.step();
        }
        long issued = System.nanoTime();
        trainer.meanLossSinceLastRead();
        long done = System.nanoTime();
        long memory = device.isGpu() ? CudaUtils.getGpuMemory(device).getCommitted() : -1;
        return new Training(
                trainer.config().train().batchSize(),
                steps,
                (issued - start) / 1e6 / steps,
                (done - start) / 1e6 / steps,
                memory);
    }

    /**
     * A trainer for {@code config}, after the device's cached memory was released (so memory
     * compares).
     */
    public static DiffusionTrainer trainer(DdpmConfig config, LabeledImages data, Device device) {
        if (device.isGpu()) {
            JniUtils.emptyCudaCache();
        }
        return new DiffusionTrainer(config, data, device);
    }

    /**
     * Samples {@code images} images (the digits in turn) with the trainer's current weights: a
     * short warm-up, then the timed run. {@code timesteps} shortens the schedule when positive (a
     * reverse step costs the same whatever T is), so that DDPM can be timed over fewer steps.
     */
    public static Sampling sampling(
            DiffusionTrainer trainer, int timesteps, SamplingSettings settings, int images) {
        DdpmConfig config = trainer.config();
        DiffusionConfig d = config.diffusion();
        DdpmConfig sampled =
                timesteps <= 0
                        ? config
                        : config.withDiffusion(
                                new DiffusionConfig(
                                        timesteps,
                                        d.schedule(),
                                        d.betaStart(),
                                        d.betaEnd(),
                                        d.cosineS(),
                                        d.finalTimestep(),
                                        d.clipX0(),
                                        d.loss(),
                                        d.schedulePrecision()));
        long[] labels = new long[images];
        for (int i = 0; i < images; i++) {
            labels[i] = i % config.model().numClasses();
        }
        try (NDManager m = trainer.manager().newSubManager()) {
            Generator generator =
                    Generator.of(sampled, trainer.model(), Generator.Weights.TRAINED, null, m);
            generator.generate(labels, SamplingSettings.ddim(2, 0), null);
            Generator.Images timed = generator.generate(labels, settings, null);
            return new Sampling(
                    settings.sampler().configName(), images, timed.steps(), timed.seconds());
        }
    }
}
