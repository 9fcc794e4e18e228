package dev.ddpm.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.diffusion.NoiseModel;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.diffusion.Sampler;
import dev.ddpm.diffusion.SamplingListener;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.model.UNet;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code sample} and {@code gif} share: the checkpoint, the digits and how to sample them. */
public final class SamplingOptions {

    private static final Logger LOG = LoggerFactory.getLogger(SamplingOptions.class);

    /** Largest {@code --scale} of the pictures that {@code sample} and {@code gif} write. */
    static final int MAX_SCALE = 32;

    /** {@code --digit D} or {@code --all-digits}, exactly one. */
    static final class Digits {
        @Option(names = "--digit", paramLabel = "D", required = true, description = "The digit (class) to draw, 0-9.")
        Integer digit;

        @Option(names = "--all-digits", required = true, description = "Every digit 0-9.")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Digits digits;

    @Mixin
    SamplerOptions sampler;

    @Option(names = "--max-batch", paramLabel = "N",
            description = "Largest batch through the model at once, to cap memory (default: all images at once).")
    Integer maxBatch;

    /** A checkpoint ready to sample: its configuration, model and schedule (on the manager's device). */
    record Loaded(Path file, DdpmConfig config, NoiseModel model, NoiseSchedule schedule) {
        Shape imageShape() {
            return new Shape(config.model().inChannels(), config.model().imageSize(), config.model().imageSize());
        }
    }

    /** The cheap checks, before the engine loads. */
    void validate() {
        if (digits.digit != null && digits.digit < 0) {
            throw new UsageException("--digit must be a digit 0-9, got " + digits.digit);
        }
        sampler.validate();
        if (maxBatch != null && maxBatch < 1) {
            throw new UsageException("--max-batch must be at least 1, got " + maxBatch);
        }
    }

    /** The checkpoint file {@code --checkpoint} names; says how to get one when there is none. */
    Path checkpointFile() {
        return sampler.checkpointFile();
    }

    /** Reads the checkpoint; anything wrong with it is a usage error naming the file. */
    Loaded load(Path file, NDManager manager) {
        try (NDManager reading = manager.newSubManager()) {
            Checkpoint read = SamplerOptions.readCheckpoint(file, reading);
            DdpmConfig config = read.config();
            UNet unet = UNet.create(config.model(), manager);
            Map<String, NDArray> weights = read.samplingWeights(!sampler.noEma);
            unet.loadWeights(weights);
            LOG.info("checkpoint {} ({} weights{})", file, weights == read.ema() ? "EMA" : "trained",
                    read.state() == null ? "" : ", step " + read.state().step());
            if (digits.digit != null && digits.digit >= config.model().numClasses()) {
                throw new UsageException("--digit must be 0-" + (config.model().numClasses() - 1) + ", got "
                        + digits.digit);
            }
            return new Loaded(file, config, unet.frozenNoiseModel(manager),
                    NoiseSchedule.create(config.diffusion(), manager));
        } catch (IllegalArgumentException e) {
            throw new UsageException(file + " does not match its own model configuration: "
                    + SamplerOptions.oneLine(e.getMessage()));
        }
    }

    /** The labels to draw: {@code perDigit} of each selected digit, digit by digit. */
    long[] labels(int numClasses, int perDigit) {
        int[] selected = selectedDigits(numClasses);
        long[] labels = new long[selected.length * perDigit];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = selected[i / perDigit];
        }
        return labels;
    }

    int[] selectedDigits(int numClasses) {
        return digits.all ? java.util.stream.IntStream.range(0, numClasses).toArray() : new int[] {digits.digit};
    }

    boolean allDigits() {
        return digits.all;
    }

    /** The sampler asked for, checked against the checkpoint's schedule. */
    Sampler sampler(NoiseSchedule schedule) {
        return sampler.sampler(schedule, maxBatch == null ? Integer.MAX_VALUE : maxBatch);
    }

    /** Logs progress every tenth of the steps (no device work). */
    static SamplingListener progress() {
        return (i, total, t, x) -> {
            if ((i + 1) % Math.max(1, total / 10) == 0 || i == total - 1) {
                LOG.info("step {}/{} (t = {})", i + 1, total, t);
            }
        };
    }

    /** Runs {@code sampler} with progress logging, plus {@code listener} when not null; logs the time taken. */
    NDArray sample(Loaded loaded, Sampler s, NDArray labels, SamplingListener listener) {
        SamplingListener log = progress();
        SamplingListener both = listener == null ? log : (i, total, t, x) -> {
            listener.onStep(i, total, t, x);
            log.onStep(i, total, t, x);
        };
        long start = System.nanoTime();
        NDArray images = s.sample(loaded.model(), loaded.schedule(), labels, sampler.guidance, sampler.seed,
                loaded.imageShape(), both);
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = s.steps(loaded.schedule());
        LOG.info("{} images, {} {} steps in {} s ({} ms per step)", labels.size(), total, sampler.sampler,
                String.format("%.2f", seconds), String.format("%.1f", 1000 * seconds / total));
        return images;
    }
}
