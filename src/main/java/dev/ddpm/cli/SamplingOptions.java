package dev.ddpm.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.diffusion.DdimSampler;
import dev.ddpm.diffusion.DdpmSampler;
import dev.ddpm.diffusion.NoiseModel;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.diffusion.Sampler;
import dev.ddpm.diffusion.SamplingListener;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.SafetensorsException;
import dev.ddpm.model.UNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** What {@code sample} and {@code gif} share: the checkpoint, the digits and how to sample them. */
public final class SamplingOptions {

    private static final Logger LOG = LoggerFactory.getLogger(SamplingOptions.class);

    /** DDIM steps when {@code --steps} is not given. */
    static final int DEFAULT_DDIM_STEPS = 100;

    /** {@code --digit D} or {@code --all-digits}, exactly one. */
    static final class Digits {
        @Option(names = "--digit", paramLabel = "D", required = true, description = "The digit (class) to draw, 0-9.")
        Integer digit;

        @Option(names = "--all-digits", required = true, description = "Every digit 0-9.")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Digits digits;

    @Option(names = "--checkpoint", paramLabel = "RUN|FILE", defaultValue = "latest",
            description = "A run folder, a run name under checkpoints/, a checkpoint file, or 'latest'"
                    + " (default: the newest checkpoint of the most recent run).")
    String checkpoint;

    @Option(names = "--sampler", paramLabel = "ddpm|ddim", defaultValue = "ddim",
            description = "ddim (default, fast) or ddpm (the reference: every timestep, ancestral).")
    String sampler;

    @Option(names = "--steps", paramLabel = "N",
            description = "DDIM steps (default: " + DEFAULT_DDIM_STEPS + ", at most the schedule's timesteps);"
                    + " DDPM always takes every timestep.")
    Integer steps;

    @Option(names = "--eta", paramLabel = "ETA", description = "DDIM noise: 0 deterministic (default), 1 like DDPM.")
    Double eta;

    @Option(names = "--guidance", paramLabel = "W", defaultValue = "0",
            description = "Classifier-free guidance w >= 0: eps_uncond + (1 + w) (eps_cond - eps_uncond);"
                    + " 0 (default) is plain conditional sampling, 1-3 gives crisper, more typical digits.")
    double guidance;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the noise (default: ${DEFAULT-VALUE}); same seed and device, same images.")
    long seed;

    @Option(names = "--no-ema", description = "Sample with the trained weights instead of their moving average.")
    boolean noEma;

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
        if (!sampler.equals("ddpm") && !sampler.equals("ddim")) {
            throw new UsageException("--sampler must be ddpm or ddim, got '" + sampler + "'");
        }
        if (steps != null && steps < 1) {
            throw new UsageException("--steps must be at least 1, got " + steps);
        }
        if (sampler.equals("ddpm") && (steps != null || eta != null)) {
            throw new UsageException("--steps and --eta apply to --sampler ddim; ddpm takes every timestep");
        }
        if (eta != null && !(eta >= 0 && eta <= 10)) {
            throw new UsageException("--eta must be between 0 and 10, got " + eta);
        }
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new UsageException("--guidance must be a number >= 0, got " + guidance);
        }
        if (maxBatch != null && maxBatch < 1) {
            throw new UsageException("--max-batch must be at least 1, got " + maxBatch);
        }
    }

    /** The checkpoint file {@code --checkpoint} names; says how to get one when there is none. */
    Path checkpointFile() {
        return RunDirectory.resolveCheckpoint(checkpoint, Path.of("checkpoints"));
    }

    /** Reads the checkpoint; anything wrong with it is a usage error naming the file. */
    Loaded load(Path file, NDManager manager) {
        try (NDManager reading = manager.newSubManager()) {
            Checkpoint read = Checkpoint.read(file, reading);
            DdpmConfig config = read.config();
            UNet unet = UNet.create(config.model(), manager);
            Map<String, NDArray> weights = read.samplingWeights(!noEma);
            unet.loadWeights(weights);
            LOG.info("checkpoint {} ({} weights{})", file, weights == read.ema() ? "EMA" : "trained",
                    read.state() == null ? "" : ", step " + read.state().step());
            if (digits.digit != null && digits.digit >= config.model().numClasses()) {
                throw new UsageException("--digit must be 0-" + (config.model().numClasses() - 1) + ", got "
                        + digits.digit);
            }
            return new Loaded(file, config, unet.frozenNoiseModel(manager),
                    NoiseSchedule.create(config.diffusion(), manager));
        } catch (SafetensorsException e) {
            throw new UsageException(oneLine(e.getMessage()));
        } catch (IOException e) {
            throw new UsageException("cannot read checkpoint " + file + ": " + oneLine(String.valueOf(e.getMessage())));
        } catch (IllegalArgumentException e) {
            throw new UsageException(file + " does not match its own model configuration: " + oneLine(e.getMessage()));
        }
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", "; ");
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
        int cap = maxBatch == null ? Integer.MAX_VALUE : maxBatch;
        if (sampler.equals("ddpm")) {
            return new DdpmSampler(cap);
        }
        int n = steps == null ? Math.min(DEFAULT_DDIM_STEPS, schedule.reverseSteps()) : steps;
        if (n > schedule.reverseSteps()) {
            throw new UsageException("--steps " + n + " exceeds the " + schedule.reverseSteps()
                    + " timesteps of this checkpoint's schedule");
        }
        return new DdimSampler(n, eta == null ? 0 : eta, cap);
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
        NDArray images = s.sample(loaded.model(), loaded.schedule(), labels, guidance, seed, loaded.imageShape(), both);
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = s.steps(loaded.schedule());
        LOG.info("{} images, {} {} steps in {} s ({} ms per step)", labels.size(), total, sampler,
                String.format("%.2f", seconds), String.format("%.1f", 1000 * seconds / total));
        return images;
    }
}
