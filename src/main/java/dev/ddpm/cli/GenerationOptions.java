package dev.ddpm.cli;

import dev.ddpm.app.ModelSource;
import dev.ddpm.app.Workspace;
import dev.ddpm.common.UserException;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplerKind;
import dev.ddpm.generate.SamplingSettings;
import java.util.Arrays;
import java.util.Iterator;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What every generating command ({@code sample}, {@code gif}, {@code eval}) asks: which weights,
 * how to sample.
 */
public final class GenerationOptions {

    @Option(
            names = "--checkpoint",
            paramLabel = "RUN|FILE",
            defaultValue = "latest",
            description =
                    "A run folder, a run name under checkpoints/, a checkpoint file, or 'latest'"
                            + " (default: the newest checkpoint of the most recent run).")
    String checkpoint;

    @Option(
            names = "--sampler",
            paramLabel = "NAME",
            defaultValue = "ddim",
            converter = SamplerConverter.class,
            completionCandidates = SamplerNames.class,
            description =
                    "${COMPLETION-CANDIDATES}: ddim (default, fast) or ddpm (the reference: every"
                            + " timestep, ancestral).")
    SamplerKind sampler;

    @Option(
            names = "--steps",
            paramLabel = "N",
            description =
                    "DDIM steps (default: "
                            + SamplingSettings.DEFAULT_DDIM_STEPS
                            + ", at most the schedule's"
                            + " timesteps); DDPM always takes every timestep.")
    Integer steps;

    @Option(
            names = "--eta",
            paramLabel = "ETA",
            description = "DDIM noise: 0 deterministic (default), 1 like DDPM.")
    Double eta;

    @Option(
            names = "--guidance",
            paramLabel = "W",
            defaultValue = "0",
            description =
                    "Classifier-free guidance w >= 0: eps_uncond + (1 + w) (eps_cond - eps_uncond);"
                            + " 0 (default) is plain conditional sampling; 0.5-0.75 gives more"
                            + " recognizable digits (see README), larger values bolder, less varied"
                            + " ones.")
    double guidance;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Seed of the noise (default: ${DEFAULT-VALUE}); same seed and device, same"
                            + " images.")
    long seed;

    @Option(
            names = "--no-ema",
            description = "Sample with the trained weights instead of their moving average.")
    boolean noEma;

    @Option(
            names = "--max-batch",
            paramLabel = "N",
            description =
                    "Largest batch through the model at once, to cap memory; batch i is seeded with"
                        + " seed + i, so keep it fixed when comparing (default: all images at once;"
                        + " eval: 250).")
    Integer maxBatch;

    /** The cheap checks, before the engine loads. */
    void validate() {
        if (steps != null && steps < 1) {
            throw new UserException("--steps must be at least 1, got " + steps);
        }
        if (sampler == SamplerKind.DDPM && (steps != null || eta != null)) {
            throw new UserException(
                    "--steps and --eta apply to --sampler ddim; ddpm takes every timestep");
        }
        if (eta != null && !(eta >= 0 && eta <= 10)) {
            throw new UserException("--eta must be between 0 and 10, got " + eta);
        }
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new UserException("--guidance must be a number >= 0, got " + guidance);
        }
        if (maxBatch != null && maxBatch < 1) {
            throw new UserException("--max-batch must be at least 1, got " + maxBatch);
        }
    }

    /**
     * The checkpoint {@code --checkpoint} names in {@code workspace}, resolved now; says how to get
     * one when there is none. Call it before loading the engine, so that a missing checkpoint is an
     * immediate error.
     */
    ModelSource source(Workspace workspace) {
        return ModelSource.resolve(workspace, checkpoint, !noEma);
    }

    /** Refuses {@code --steps} beyond the timesteps of {@code generator}'s schedule. */
    void requireStepsWithin(Generator generator) {
        int available = generator.schedule().reverseSteps();
        if (steps != null && steps > available) {
            throw new UserException(
                    "--steps "
                            + steps
                            + " exceeds the "
                            + available
                            + " timesteps of this checkpoint's schedule");
        }
    }

    /**
     * The settings asked for, batches of at most {@code defaultMaxBatch} unless {@code --max-batch}
     * says.
     */
    SamplingSettings settings(int defaultMaxBatch) {
        return new SamplingSettings(
                sampler,
                steps,
                eta == null ? 0 : eta,
                guidance,
                seed,
                maxBatch != null ? maxBatch : defaultMaxBatch);
    }

    static final class SamplerConverter implements CommandLine.ITypeConverter<SamplerKind> {
        @Override
        public SamplerKind convert(String value) {
            SamplerKind kind =
                    dev.ddpm.config.ConfigChoice.parse(SamplerKind.class, value.toLowerCase());
            if (kind == null) {
                throw new CommandLine.TypeConversionException(
                        "--sampler must be ddpm or ddim, got '" + value + "'");
            }
            return kind;
        }
    }

    static final class SamplerNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(SamplerKind.values()).map(SamplerKind::configName).iterator();
        }
    }
}
