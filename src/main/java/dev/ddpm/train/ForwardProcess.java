package dev.ddpm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.diffusion.NoiseSchedule;

/**
 * The forward process on the device, what a training step needs of the schedule: random timesteps
 * and {@code x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise}. Its two coefficient tables are put on
 * the device once.
 */
final class ForwardProcess {

    private final int timesteps;
    private final NDArray sqrtAlphasCumprod;
    private final NDArray sqrtOneMinusAlphasCumprod;

    /** {@code min(SNR_t, gamma) / SNR_t} per timestep, or null without loss weighting. */
    private final NDArray lossWeights;

    /**
     * @param minSnrGamma weights the loss of timestep t by {@code min(SNR_t, gamma) / SNR_t}, where
     *     {@code SNR_t = abar_t / (1 - abar_t)}; 0 for no weights
     * @param manager owns the tables; on the training device
     */
    ForwardProcess(NoiseSchedule schedule, double minSnrGamma, NDManager manager) {
        double[] abar = schedule.alphasCumprod();
        float[] signal = new float[abar.length];
        float[] noise = new float[abar.length];
        for (int t = 0; t < abar.length; t++) {
            signal[t] = (float) Math.sqrt(abar[t]);
            noise[t] = (float) Math.sqrt(1 - abar[t]);
        }
        this.timesteps = abar.length;
        this.sqrtAlphasCumprod = NativeArrays.copyOf(manager, signal, new Shape(abar.length));
        this.sqrtOneMinusAlphasCumprod =
                NativeArrays.copyOf(manager, noise, new Shape(abar.length));
        if (minSnrGamma > 0) {
            float[] weights = new float[abar.length];
            for (int t = 0; t < abar.length; t++) {
                double snr = abar[t] / (1 - abar[t]);
                weights[t] = (float) (Math.min(snr, minSnrGamma) / snr);
            }
            this.lossWeights = NativeArrays.copyOf(manager, weights, new Shape(abar.length));
        } else {
            this.lossWeights = null;
        }
    }

    /** The loss weight of each image at timesteps {@code t}, or null without loss weighting. */
    NDArray lossWeights(NDArray t) {
        return lossWeights == null ? null : lossWeights.take(t.getManager(), t);
    }

    /** Uniform int64 timesteps in {@code [0, T)}, drawn on {@code manager}'s device. */
    NDArray sampleTimesteps(NDManager manager, int batchSize) {
        return manager.randomInteger(0, timesteps, new Shape(batchSize), DataType.INT64);
    }

    /**
     * {@code x_t} for int64 timesteps {@code t} {@code [B]}; the result belongs to {@code x0}'s
     * manager.
     */
    NDArray qSample(NDArray x0, NDArray t, NDArray noise) {
        NDManager m = x0.getManager();
        long[] perImage = new long[x0.getShape().dimension()];
        java.util.Arrays.fill(perImage, 1);
        perImage[0] = x0.getShape().get(0);
        NDArray signal = sqrtAlphasCumprod.take(m, t).reshape(perImage);
        NDArray noiseScale = sqrtOneMinusAlphasCumprod.take(m, t).reshape(perImage);
        return x0.mul(signal).addi(noise.mul(noiseScale));
    }
}
