package dev.ddpm.diffusion;

import dev.ddpm.config.DiffusionConfig;

/**
 * The noise schedule of the diffusion process as immutable host data: the betas and everything
 * derived from them, in double precision (see docs/architecture.md, "Noise schedules"). Index
 * {@code t} runs over {@code 0 .. T-1}. Samplers turn it into per-step coefficients ({@link
 * ReverseStep}); training puts the two arrays of the forward process on the device itself.
 *
 * <p>{@code alphasCumprodPrev[0] = 1} (the reference uses 0 there, which only matters at {@code t =
 * 0}, a step its sampler never takes). The reference's {@code T = 1001} process, sampled down to
 * {@code t = 1}, is {@code diffusion.timesteps = 1001} with {@code diffusion.final_timestep = 1}.
 */
public final class NoiseSchedule {

    private final int finalTimestep;
    private final boolean clipX0;
    private final double[] betas;
    private final double[] alphasCumprod;
    private final double[] alphasCumprodPrev;
    private final double[] posteriorVariance;
    private final double[] posteriorMeanCoef1;
    private final double[] posteriorMeanCoef2;

    /**
     * @param float32 round betas, alphas and the cumulative product to float32 as they are derived,
     *     as the reference's float32 tensors do; everything after that stays in double precision
     */
    private NoiseSchedule(double[] betas, boolean float32, int finalTimestep, boolean clipX0) {
        int n = betas.length;
        this.betas = betas;
        this.finalTimestep = finalTimestep;
        this.clipX0 = clipX0;
        alphasCumprod = new double[n];
        alphasCumprodPrev = new double[n];
        posteriorVariance = new double[n];
        posteriorMeanCoef1 = new double[n];
        posteriorMeanCoef2 = new double[n];
        double product = 1;
        for (int t = 0; t < n; t++) {
            if (float32) {
                betas[t] = (float) betas[t];
            }
            double alpha = float32 ? (float) (1 - betas[t]) : 1 - betas[t];
            alphasCumprodPrev[t] = product;
            product = float32 ? (float) (product * alpha) : product * alpha;
            alphasCumprod[t] = product;
            // The posterior q(x_{t-1} | x_t, x_0): the only place these formulas are written.
            posteriorVariance[t] = (1 - alphasCumprodPrev[t]) / (1 - product) * betas[t];
            posteriorMeanCoef1[t] = Math.sqrt(alphasCumprodPrev[t]) * betas[t] / (1 - product);
            posteriorMeanCoef2[t] = Math.sqrt(alpha) * (1 - alphasCumprodPrev[t]) / (1 - product);
        }
    }

    /** The schedule a configuration describes. */
    public static NoiseSchedule create(DiffusionConfig config) {
        double[] betas =
                switch (config.schedule()) {
                    case LINEAR ->
                            linearBetas(config.timesteps(), config.betaStart(), config.betaEnd());
                    case COSINE -> cosineBetas(config.timesteps(), config.cosineS());
                };
        return new NoiseSchedule(
                betas,
                config.schedulePrecision() == DiffusionConfig.Precision.FLOAT32,
                config.finalTimestep(),
                config.clipX0());
    }

    /** {@code linspace(start, end, T)}. */
    static double[] linearBetas(int timesteps, double start, double end) {
        double[] betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            betas[t] = start + (end - start) * t / (timesteps - 1);
        }
        return betas;
    }

    /**
     * The cosine schedule of Nichol and Dhariwal, with betas clipped to {@code [1e-4, 0.999]} (the
     * reference's lower bound).
     *
     * <p>The cosine's argument {@code ((u / T) + s) / (1 + s) * pi / 2} is evaluated in float32 as
     * the reference does (its timeline is a float32 tensor): near {@code u = T} the cosine
     * approaches 0, so the argument's rounding moves the last betas by up to 1e-4 relative, and
     * matching the reference needs the same rounding. Everything after the argument is double
     * precision.
     */
    static double[] cosineBetas(int timesteps, double s) {
        double[] f = new double[timesteps + 1];
        for (int u = 0; u <= timesteps; u++) {
            float argument =
                    ((float) u / timesteps + (float) s) / (float) (1 + s) * (float) Math.PI * 0.5f;
            double c = Math.cos(argument);
            f[u] = c * c;
        }
        double[] betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            // abar_u = f(u) / f(0); the f(0) cancels in the ratio abar_{t+1} / abar_t
            double beta = 1 - f[t + 1] / f[t];
            betas[t] = Math.min(Math.max(beta, 1e-4), 0.999);
        }
        return betas;
    }

    /** Number of timesteps {@code T}. */
    public int timesteps() {
        return betas.length;
    }

    /**
     * The timestep whose reverse step returns the posterior mean: 0 (standard) or 1 (the
     * reference).
     */
    public int finalTimestep() {
        return finalTimestep;
    }

    /** Whether reverse steps clamp the predicted x0 to [-1, 1]. */
    public boolean clipX0() {
        return clipX0;
    }

    /**
     * How many reverse steps a full ancestral pass takes: from {@code T-1} down to the final
     * timestep.
     */
    public int reverseSteps() {
        return timesteps() - finalTimestep;
    }

    public double beta(int t) {
        return betas[t];
    }

    public double alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    public double alphaCumprodPrev(int t) {
        return alphasCumprodPrev[t];
    }

    /**
     * Where every sampler's last step goes: the cumulative product just before the final timestep,
     * 1 (no noise) for the standard final timestep 0.
     */
    public double endAlphaCumprod() {
        return alphasCumprodPrev[finalTimestep];
    }

    /**
     * Half the log signal-to-noise ratio at {@code t}, {@code lambda = log(sqrt(abar) / sqrt(1 -
     * abar))}: the time variable of DPM-Solver.
     */
    public double lambda(int t) {
        return lambda(alphasCumprod[t]);
    }

    /** {@code lambda} of a cumulative product {@code abar}; infinite at 1 (no noise). */
    public static double lambda(double abar) {
        return 0.5 * (Math.log(abar) - Math.log1p(-abar));
    }

    /** Variance of the posterior: {@code (1 - abar_prev) / (1 - abar) beta}. */
    public double posteriorVariance(int t) {
        return posteriorVariance[t];
    }

    /** Coefficient of x0 in the posterior mean: {@code sqrt(abar_prev) beta / (1 - abar)}. */
    public double posteriorMeanCoef1(int t) {
        return posteriorMeanCoef1[t];
    }

    /**
     * Coefficient of x_t in the posterior mean: {@code sqrt(alpha) (1 - abar_prev) / (1 - abar)}.
     */
    public double posteriorMeanCoef2(int t) {
        return posteriorMeanCoef2[t];
    }

    /** All betas (a copy). */
    public double[] betas() {
        return betas.clone();
    }

    /** All cumulative products {@code abar_t} (a copy). */
    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** All posterior variances (a copy). */
    public double[] posteriorVariances() {
        return posteriorVariance.clone();
    }
}
