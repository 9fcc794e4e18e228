package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.common.NativeArrays;

/**
 * The exact noise predictor for data whose pixels are independent {@code N(mu_y, s^2)}, with mean
 * {@code mu_y = MEAN_STEP * (y + 1)} for label {@code y} and 0 without a label: since {@code x_t =
 * alpha x0 + sigma eps} is Gaussian, {@code E[eps | x_t] = sigma (x_t - alpha mu) / (alpha^2 s^2 +
 * sigma^2)}. Its probability-flow ODE has a closed-form solution ({@link #flow}), so a sampler's
 * error against it is measurable. Guidance with weight {@code w} is exact for the Gaussian with
 * mean {@code mu_y + w (mu_y - 0)} ({@link #guidedMean}).
 */
final class GaussianNoiseModel implements NoiseModel {

    static final double MEAN_STEP = 0.05;

    private final NoiseSchedule schedule;
    private final double s;

    GaussianNoiseModel(NoiseSchedule schedule, double s) {
        this.schedule = schedule;
        this.s = s;
    }

    static double mean(long label) {
        return label < 0 ? 0 : MEAN_STEP * (label + 1);
    }

    static double guidedMean(long label, double guidance) {
        return mean(label) * (1 + guidance);
    }

    @Override
    public NDArray predictNoise(NDArray xt, NDArray t, NDArray labels) {
        NDManager m = xt.getManager();
        double abar = schedule.alphaCumprod((int) t.toLongArray()[0]);
        long[] y = labels.toLongArray();
        float[] offsets = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            offsets[i] = (float) (Math.sqrt(abar) * mean(y[i]));
        }
        double scale = Math.sqrt(1 - abar) / (abar * s * s + 1 - abar);
        NDArray offset =
                NativeArrays.copyOf(m, offsets, new ai.djl.ndarray.types.Shape(y.length))
                        .reshape(y.length, 1, 1, 1);
        return xt.sub(offset).mul(NativeArrays.scalar(m, (float) scale));
    }

    /**
     * The exact solution of the probability-flow ODE from {@code x} at cumulative product {@code
     * abarFrom} to {@code abarTo}, for data {@code N(mu, s^2)}: affine, {@code x_to = sqrt(abar_to)
     * mu + sqrt(abar_to s^2 + 1 - abar_to) / sqrt(abar_from s^2 + 1 - abar_from) (x -
     * sqrt(abar_from) mu)}.
     */
    double flow(double x, double mu, double abarFrom, double abarTo) {
        return Math.sqrt(abarTo) * mu
                + Math.sqrt(abarTo * s * s + 1 - abarTo)
                        / Math.sqrt(abarFrom * s * s + 1 - abarFrom)
                        * (x - Math.sqrt(abarFrom) * mu);
    }
}
