package dev.ddpm.config;

/**
 * The ranges of classifier-free guidance and of DDIM's eta, one for every place that takes them:
 * the command line ({@code --guidance}, {@code --eta}), the configuration ({@code
 * train.sample_guidance}, {@code train.eval_guidance}) and the generator's settings. Beyond them
 * the images are saturated noise; NaN and infinity are refused with the rest.
 */
public final class SamplingLimits {

    /**
     * Largest guidance weight w (the noise estimate is {@code eps_cond + w (eps_cond -
     * eps_uncond)}).
     */
    public static final int MAX_GUIDANCE = 100;

    /** Largest eta (1 is DDPM's amount of noise). */
    public static final int MAX_ETA = 10;

    private SamplingLimits() {}

    /** What is wrong with guidance weight {@code w} ("must be in [0, 100], got -1.0"), or null. */
    public static String guidanceProblem(double w) {
        return problem(w, MAX_GUIDANCE);
    }

    /** What is wrong with DDIM's {@code eta} ("must be in [0, 10], got 11.0"), or null. */
    public static String etaProblem(double eta) {
        return problem(eta, MAX_ETA);
    }

    /** Throws IllegalArgumentException when {@code w} is outside [0, {@value #MAX_GUIDANCE}]. */
    public static double requireGuidance(double w) {
        String problem = guidanceProblem(w);
        if (problem != null) {
            throw new IllegalArgumentException("guidance " + problem);
        }
        return w;
    }

    /** Throws IllegalArgumentException when {@code eta} is outside [0, {@value #MAX_ETA}]. */
    public static double requireEta(double eta) {
        String problem = etaProblem(eta);
        if (problem != null) {
            throw new IllegalArgumentException("eta " + problem);
        }
        return eta;
    }

    private static String problem(double value, int max) {
        return value >= 0 && value <= max ? null : "must be in [0, " + max + "], got " + value;
    }
}
