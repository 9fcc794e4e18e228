package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.config.DiffusionConfig;
import java.util.Arrays;

/**
 * The noise schedule of the diffusion process: the betas and every array derived from them, computed
 * once in double precision on the host and stored on the device as float32 (see ARCHITECTURE.md
 * "Diffusion"). Index {@code t} runs over {@code 0 .. T-1}.
 *
 * <p>{@code alphasCumprodPrev[0] = 1} (the reference uses 0 there, which only matters at {@code t = 0},
 * a step its sampler never takes). The reference's {@code T = 1001} process, sampled down to
 * {@code t = 1}, is {@code diffusion.timesteps = 1001} with {@code diffusion.final_timestep = 1}.
 *
 * <p>The schedule owns its device arrays; close it (or the manager it was created on) to free them.
 */
public final class NoiseSchedule implements AutoCloseable {

    private final int finalTimestep;
    private final boolean clipX0;

    private final double[] betas;
    private final double[] alphasCumprod;
    private final double[] alphasCumprodPrev;
    private final double[] posteriorVariance;

    private final NDManager manager;
    private final NDArray betasArray;
    private final NDArray alphasArray;
    private final NDArray alphasCumprodArray;
    private final NDArray alphasCumprodPrevArray;
    private final NDArray sqrtAlphasCumprodArray;
    private final NDArray sqrtOneMinusAlphasCumprodArray;
    private final NDArray posteriorVarianceArray;
    private final NDArray posteriorMeanCoef1Array;
    private final NDArray posteriorMeanCoef2Array;

    /**
     * @param float32 round betas, alphas and the cumulative product to float32 as they are derived, as the
     *     reference's float32 tensors do; everything after that stays in double precision
     */
    private NoiseSchedule(double[] betas, boolean float32, int finalTimestep, boolean clipX0, NDManager parent) {
        int n = betas.length;
        this.betas = betas;
        this.finalTimestep = finalTimestep;
        this.clipX0 = clipX0;
        double[] alphas = new double[n];
        alphasCumprod = new double[n];
        alphasCumprodPrev = new double[n];
        posteriorVariance = new double[n];
        double[] sqrtAbar = new double[n];
        double[] sqrtOneMinusAbar = new double[n];
        double[] meanCoef1 = new double[n];
        double[] meanCoef2 = new double[n];
        double product = 1;
        for (int t = 0; t < n; t++) {
            if (float32) {
                betas[t] = (float) betas[t];
            }
            alphas[t] = float32 ? (float) (1 - betas[t]) : 1 - betas[t];
            alphasCumprodPrev[t] = product;
            product = float32 ? (float) (product * alphas[t]) : product * alphas[t];
            alphasCumprod[t] = product;
            sqrtAbar[t] = Math.sqrt(product);
            sqrtOneMinusAbar[t] = Math.sqrt(1 - product);
            posteriorVariance[t] = (1 - alphasCumprodPrev[t]) / (1 - product) * betas[t];
            meanCoef1[t] = Math.sqrt(alphasCumprodPrev[t]) * betas[t] / (1 - product);
            meanCoef2[t] = Math.sqrt(alphas[t]) * (1 - alphasCumprodPrev[t]) / (1 - product);
        }
        manager = parent.newSubManager();
        betasArray = upload(betas);
        alphasArray = upload(alphas);
        alphasCumprodArray = upload(alphasCumprod);
        alphasCumprodPrevArray = upload(alphasCumprodPrev);
        sqrtAlphasCumprodArray = upload(sqrtAbar);
        sqrtOneMinusAlphasCumprodArray = upload(sqrtOneMinusAbar);
        posteriorVarianceArray = upload(posteriorVariance);
        posteriorMeanCoef1Array = upload(meanCoef1);
        posteriorMeanCoef2Array = upload(meanCoef2);
    }

    /** The schedule a configuration describes, with its arrays on {@code manager}'s device. */
    public static NoiseSchedule create(DiffusionConfig config, NDManager manager) {
        double[] betas = switch (config.schedule()) {
            case "linear" -> linearBetas(config.timesteps(), config.betaStart(), config.betaEnd());
            case "cosine" -> cosineBetas(config.timesteps(), config.cosineS());
            default -> throw new IllegalArgumentException("unknown schedule '" + config.schedule()
                    + "' (expected one of " + DiffusionConfig.SCHEDULES + ")");
        };
        return new NoiseSchedule(betas, config.schedulePrecision().equals("float32"), config.finalTimestep(),
                config.clipX0(), manager);
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
     * <p>The cosine's argument {@code ((u / T) + s) / (1 + s) * pi / 2} is evaluated in float32 as the
     * reference does (its timeline is a float32 tensor): near {@code u = T} the cosine approaches 0, so
     * the argument's rounding moves the last betas by up to 1e-4 relative, and matching the reference
     * needs the same rounding. Everything after the argument is double precision.
     */
    static double[] cosineBetas(int timesteps, double s) {
        double[] f = new double[timesteps + 1];
        for (int u = 0; u <= timesteps; u++) {
            float argument = ((float) u / timesteps + (float) s) / (float) (1 + s) * (float) Math.PI * 0.5f;
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

    private NDArray upload(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return NativeArrays.copyOf(manager, f, new Shape(f.length));
    }

    /** Number of timesteps {@code T}. */
    public int timesteps() {
        return betas.length;
    }

    /** The timestep whose reverse step returns the posterior mean: 0 (standard) or 1 (the reference). */
    public int finalTimestep() {
        return finalTimestep;
    }

    /** Whether reverse steps clamp the predicted x0 to [-1, 1]. */
    public boolean clipX0() {
        return clipX0;
    }

    /** How many reverse steps a full ancestral pass takes: from {@code T-1} down to the final timestep. */
    public int reverseSteps() {
        return timesteps() - finalTimestep;
    }

    /**
     * Forward process {@code x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise}; the result belongs to
     * {@code x0}'s manager.
     *
     * @param t int64 timesteps {@code [B]} on the device
     */
    public NDArray qSample(NDArray x0, NDArray t, NDArray noise) {
        NDManager m = x0.getManager();
        Shape perImage = broadcastShape(x0);
        NDArray signal = sqrtAlphasCumprodArray.take(m, t).reshape(perImage);
        NDArray noiseScale = sqrtOneMinusAlphasCumprodArray.take(m, t).reshape(perImage);
        return x0.mul(signal).addi(noise.mul(noiseScale));
    }

    /** Uniform int64 timesteps in {@code [0, T)}, drawn on {@code manager}'s device. */
    public NDArray sampleTimesteps(NDManager manager, int batchSize) {
        return manager.randomInteger(0, timesteps(), new Shape(batchSize), DataType.INT64);
    }

    /** {@code [B, 1, 1, ...]} for per-image coefficients broadcast against {@code x}. */
    static Shape broadcastShape(NDArray x) {
        long[] dims = new long[x.getShape().dimension()];
        Arrays.fill(dims, 1);
        dims[0] = x.getShape().get(0);
        return new Shape(dims);
    }

    // Host values in double precision: samplers derive their per-step coefficients from these once.

    public double beta(int t) {
        return betas[t];
    }

    public double alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    public double alphaCumprodPrev(int t) {
        return alphasCumprodPrev[t];
    }

    public double posteriorVariance(int t) {
        return posteriorVariance[t];
    }

    // Device arrays (float32, [T]).

    public NDArray betas() {
        return betasArray;
    }

    public NDArray alphas() {
        return alphasArray;
    }

    public NDArray alphasCumprod() {
        return alphasCumprodArray;
    }

    public NDArray alphasCumprodPrev() {
        return alphasCumprodPrevArray;
    }

    public NDArray sqrtAlphasCumprod() {
        return sqrtAlphasCumprodArray;
    }

    public NDArray sqrtOneMinusAlphasCumprod() {
        return sqrtOneMinusAlphasCumprodArray;
    }

    public NDArray posteriorVariance() {
        return posteriorVarianceArray;
    }

    /** Coefficient of x0 in the posterior mean: {@code sqrt(abar_prev) beta / (1 - abar)}. */
    public NDArray posteriorMeanCoef1() {
        return posteriorMeanCoef1Array;
    }

    /** Coefficient of x_t in the posterior mean: {@code sqrt(alpha) (1 - abar_prev) / (1 - abar)}. */
    public NDArray posteriorMeanCoef2() {
        return posteriorMeanCoef2Array;
    }

    @Override
    public void close() {
        manager.close();
    }
}
