package dev.ddpm.cli;

import dev.ddpm.diffusion.DdimSampler;
import dev.ddpm.diffusion.DdpmSampler;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.diffusion.Sampler;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.SafetensorsException;
import java.io.IOException;
import java.nio.file.Path;
import ai.djl.ndarray.NDManager;
import picocli.CommandLine.Option;

/** What every generating command ({@code sample}, {@code gif}, {@code eval}) asks: which weights, how to sample. */
public final class SamplerOptions {

    /** DDIM steps when {@code --steps} is not given. */
    static final int DEFAULT_DDIM_STEPS = 100;

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

    /** The cheap checks, before the engine loads. */
    void validate() {
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
    }

    /** The checkpoint file {@code --checkpoint} names; says how to get one when there is none. */
    Path checkpointFile() {
        return RunDirectory.resolveCheckpoint(checkpoint, Path.of("checkpoints"));
    }

    /** Reads the checkpoint; anything wrong with it is a usage error naming the file. */
    static Checkpoint readCheckpoint(Path file, NDManager manager) {
        try {
            return Checkpoint.read(file, manager);
        } catch (SafetensorsException e) {
            throw new UsageException(oneLine(e.getMessage()));
        } catch (IOException e) {
            throw new UsageException("cannot read checkpoint " + file + ": " + oneLine(String.valueOf(e.getMessage())));
        }
    }

    static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", "; ");
    }

    /** The DDIM eta in use, or null for DDPM. */
    Double effectiveEta() {
        return sampler.equals("ddpm") ? null : eta == null ? 0.0 : eta;
    }

    /** The sampler asked for, checked against the checkpoint's schedule, pushing at most {@code maxBatch} at once. */
    Sampler sampler(NoiseSchedule schedule, int maxBatch) {
        if (sampler.equals("ddpm")) {
            return new DdpmSampler(maxBatch);
        }
        int n = steps == null ? Math.min(DEFAULT_DDIM_STEPS, schedule.reverseSteps()) : steps;
        if (n > schedule.reverseSteps()) {
            throw new UsageException("--steps " + n + " exceeds the " + schedule.reverseSteps()
                    + " timesteps of this checkpoint's schedule");
        }
        return new DdimSampler(n, effectiveEta(), maxBatch);
    }
}
