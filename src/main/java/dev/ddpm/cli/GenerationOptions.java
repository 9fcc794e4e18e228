package dev.ddpm.cli;

import dev.ddpm.app.ModelSource;
import dev.ddpm.app.Workspace;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigChoice;
import dev.ddpm.config.SamplerKind;
import dev.ddpm.config.SamplingLimits;
import dev.ddpm.config.TimestepSpacing;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What every generating command ({@code sample}, {@code gif}, {@code eval}) asks: which weights,
 * how to sample.
 */
public final class GenerationOptions {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationOptions.class);

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
            converter = SamplerConverter.class,
            completionCandidates = SamplerNames.class,
            description =
                    "${COMPLETION-CANDIDATES}: dpm++2m (DPM-Solver++(2M), fewest steps), ddim or"
                        + " ddpm (the reference: every timestep, ancestral). Default: the"
                        + " checkpoint's recommendation (train.eval_sampler: dpm++2m; gif: ddim,"
                        + " whose 100 steps make a smoother animation).")
    SamplerKind sampler;

    /**
     * The sampler when {@code --sampler} is not given, or null for the checkpoint's recommendation;
     * a command may set it before parsing.
     */
    SamplerKind defaultSampler;

    @Option(
            names = "--steps",
            paramLabel = "N",
            description =
                    "Steps, at most the schedule's timesteps. Default: the checkpoint's"
                            + " recommendation for its sampler (train.eval_steps: 10 for the"
                            + " shipped model), else 20 for dpm++2m and 100 for ddim; ddpm always"
                            + " takes every timestep.")
    Integer steps;

    @Option(
            names = "--spacing",
            paramLabel = "NAME",
            converter = SpacingConverter.class,
            description =
                    "Which timesteps the steps visit: linspace (the DDIM paper's, from T-1 to 0;"
                            + " ddim's own), trailing (every T/N down from T-1; dpm++2m's own) or"
                            + " logsnr (evenly in log-SNR down to 0). Default: the checkpoint's"
                            + " recommendation for its sampler (train.eval_spacing; logsnr for the"
                            + " quick recipe), else the sampler's own.")
    TimestepSpacing spacing;

    @Option(
            names = "--eta",
            paramLabel = "ETA",
            description =
                    "DDIM noise from 0 to 10: 0 deterministic, 1 like DDPM. Default: the"
                            + " checkpoint's recommendation for ddim (train.eval_eta), else 0.")
    Double eta;

    @Option(
            names = "--guidance",
            paramLabel = "W",
            description =
                    "Classifier-free guidance w from 0 to 100: eps_uncond + (1 + w) (eps_cond -"
                            + " eps_uncond); 0 is plain conditional sampling, larger gives crisper,"
                            + " more typical digits. Default: the checkpoint's recommendation, the"
                            + " guidance its recipe is judged at (train.eval_guidance: 0.5 for the"
                            + " shipped model).")
    Double guidance;

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
                    "Largest batch through the model at once (default: chosen for the device, 50"
                        + " images on a CPU). Each image's starting noise depends only on the seed"
                        + " and its position, so ddim (eta 0) and dpm++2m draw the same images for"
                        + " any batch; ddpm and ddim with eta > 0 draw their later noise per"
                        + " batch.")
    Integer maxBatch;

    /** The cheap checks, before the engine loads. */
    void validate() {
        if (steps != null && steps < 1) {
            throw new UserException("--steps must be at least 1, got " + steps);
        }
        if (sampler == SamplerKind.DDPM && (steps != null || eta != null || spacing != null)) {
            throw new UserException(
                    "--steps, --spacing and --eta apply to --sampler ddim; ddpm takes every"
                            + " timestep");
        }
        if (eta != null && eta != 0 && requestedSampler() != SamplerKind.DDIM) {
            throw new UserException(
                    requestedSampler() == null
                            ? "--eta applies to --sampler ddim: add --sampler ddim"
                            : "--eta applies to --sampler ddim; dpm++2m is deterministic");
        }
        if (eta != null && SamplingLimits.etaProblem(eta) != null) {
            throw new UserException("--eta " + SamplingLimits.etaProblem(eta));
        }
        if (guidance != null && SamplingLimits.guidanceProblem(guidance) != null) {
            throw new UserException("--guidance " + SamplingLimits.guidanceProblem(guidance));
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

    /**
     * Refuses {@code --steps} beyond the timesteps the sampler can visit in {@code generator}'s
     * schedule.
     */
    void requireStepsWithin(Generator generator) {
        SamplerKind sampler = resolve(generator).sampler();
        Integer available = SamplingSettings.of(sampler, seed).maxSteps(generator.schedule());
        if (steps != null && steps > available) {
            throw new UserException(
                    "--steps "
                            + steps
                            + " exceeds the "
                            + available
                            + " timesteps "
                            + sampler.configName()
                            + " can visit in this checkpoint's schedule");
        }
    }

    /**
     * The sampler asked for, or the command's default; null for the checkpoint's recommendation.
     */
    private SamplerKind requestedSampler() {
        return sampler != null ? sampler : defaultSampler;
    }

    /**
     * The settings asked for; what is not asked for is {@code generator}'s recommendation (its
     * steps, spacing and eta only for its own sampler, else the sampler's defaults), which the log
     * names; the generator chooses the batch unless {@code --max-batch} says.
     */
    SamplingSettings settings(Generator generator) {
        SamplingSettings settings = resolve(generator);
        logRecommendation(settings);
        return settings;
    }

    private SamplingSettings resolve(Generator generator) {
        SamplingSettings recommended = generator.recommendedSettings(seed);
        SamplerKind kind = requestedSampler() != null ? requestedSampler() : recommended.sampler();
        boolean recommendedKind = kind == recommended.sampler();
        Integer n = steps != null ? steps : recommendedKind ? recommended.steps() : null;
        TimestepSpacing s =
                spacing != null ? spacing : recommendedKind ? recommended.spacing() : null;
        double e = eta != null ? eta : recommendedKind ? recommended.eta() : 0;
        double w = guidance != null ? guidance : recommended.guidance();
        return new SamplingSettings(kind, n, e, s, w, seed, maxBatch);
    }

    private void logRecommendation(SamplingSettings settings) {
        List<String> taken = new ArrayList<>();
        if (requestedSampler() == null) {
            taken.add(settings.sampler().configName());
        }
        if (steps == null && settings.steps() != null) {
            taken.add(settings.steps() + " steps");
        }
        if (spacing == null && settings.spacing() != null) {
            taken.add(settings.spacing().configName() + " spacing");
        }
        if (eta == null && settings.eta() != 0) {
            taken.add("eta " + settings.eta());
        }
        if (guidance == null) {
            taken.add("guidance " + settings.guidance());
        }
        if (!taken.isEmpty()) {
            LOG.info("{}: the checkpoint's recommendation", String.join(", ", taken));
        }
    }

    /** Parses the spelling of a {@link ConfigChoice}, refusing others with the allowed ones. */
    abstract static class ChoiceConverter<E extends Enum<E> & ConfigChoice>
            implements CommandLine.ITypeConverter<E> {

        private final Class<E> type;
        private final String option;

        ChoiceConverter(Class<E> type, String option) {
            this.type = type;
            this.option = option;
        }

        @Override
        public E convert(String value) {
            E choice = ConfigChoice.parse(type, value.toLowerCase(Locale.ROOT));
            if (choice == null) {
                throw new CommandLine.TypeConversionException(
                        option
                                + " must be one of "
                                + ConfigChoice.allowed(type)
                                + ", got '"
                                + value
                                + "'");
            }
            return choice;
        }
    }

    static final class SamplerConverter extends ChoiceConverter<SamplerKind> {
        SamplerConverter() {
            super(SamplerKind.class, "--sampler");
        }
    }

    static final class SpacingConverter extends ChoiceConverter<TimestepSpacing> {
        SpacingConverter() {
            super(TimestepSpacing.class, "--spacing");
        }
    }

    static final class SamplerNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(SamplerKind.values()).map(SamplerKind::configName).iterator();
        }
    }
}
