package dev.ddpm.generate;

import dev.ddpm.diffusion.DdimSampler;
import dev.ddpm.diffusion.DdpmSampler;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.diffusion.Sampler;

/**
 * How to generate: the sampler and its steps, the guidance weight, the seed and the largest batch
 * sent through the model at once.
 *
 * @param sampler DDPM (every timestep) or DDIM
 * @param steps DDIM's steps, or null for the default ({@value #DEFAULT_DDIM_STEPS}, at most the
 *     schedule's); must be null for DDPM
 * @param eta DDIM's noise (0 deterministic, 1 like DDPM); ignored for DDPM
 * @param guidance classifier-free guidance {@code w >= 0}; 0 is plain conditional sampling
 * @param seed batch {@code i} is drawn with libtorch seeded by {@code seed + i}
 * @param maxBatch images per batch; the split decides the random draws, so keep it when comparing
 */
public record SamplingSettings(
        SamplerKind sampler, Integer steps, double eta, double guidance, long seed, int maxBatch) {

    /** DDIM steps when none are given. */
    public static final int DEFAULT_DDIM_STEPS = 100;

    /**
     * Checks what does not depend on the model; the command line has said it to the user already.
     */
    public SamplingSettings {
        if (steps != null && (steps < 1 || sampler == SamplerKind.DDPM)) {
            throw new IllegalArgumentException(
                    "DDIM steps must be at least 1 (none for DDPM), got " + steps);
        }
        if (!(eta >= 0)
                || !(guidance >= 0)
                || Double.isInfinite(eta)
                || Double.isInfinite(guidance)
                || maxBatch < 1) {
            throw new IllegalArgumentException(
                    "eta and guidance must be finite and >= 0, the batch >= 1");
        }
    }

    /** DDIM with {@code steps} steps, eta 0, no guidance, all images in one batch. */
    public static SamplingSettings ddim(int steps, long seed) {
        return new SamplingSettings(SamplerKind.DDIM, steps, 0, 0, seed, Integer.MAX_VALUE);
    }

    /** The same settings with another guidance weight. */
    public SamplingSettings withGuidance(double w) {
        return new SamplingSettings(sampler, steps, eta, w, seed, maxBatch);
    }

    /** The same settings with another batch cap. */
    public SamplingSettings withMaxBatch(int n) {
        return new SamplingSettings(sampler, steps, eta, guidance, seed, n);
    }

    /** The DDIM eta in effect, or null for DDPM. */
    public Double effectiveEta() {
        return sampler == SamplerKind.DDPM ? null : eta;
    }

    /**
     * The sampler on {@code schedule}; DDIM steps beyond the schedule's are an
     * IllegalArgumentException.
     */
    public Sampler samplerFor(NoiseSchedule schedule) {
        if (sampler == SamplerKind.DDPM) {
            return new DdpmSampler();
        }
        return new DdimSampler(
                steps == null ? Math.min(DEFAULT_DDIM_STEPS, schedule.reverseSteps()) : steps, eta);
    }
}
