package dev.ddpm.diffusion;

import static dev.ddpm.config.DiffusionConfig.Schedule.COSINE;
import static dev.ddpm.config.DiffusionConfig.Schedule.LINEAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.testing.ParityFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NoiseScheduleTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static DiffusionConfig config(
            int timesteps, DiffusionConfig.Schedule schedule, int finalTimestep) {
        DiffusionConfig r = DiffusionConfig.reference();
        return new DiffusionConfig(
                timesteps,
                schedule,
                r.betaStart(),
                r.betaEnd(),
                r.cosineS(),
                finalTimestep,
                r.clipX0(),
                r.loss(),
                r.schedulePrecision());
    }

    static NoiseSchedule schedule(
            int timesteps, DiffusionConfig.Schedule schedule, int finalTimestep) {
        return NoiseSchedule.create(config(timesteps, schedule, finalTimestep));
    }

    /** Host values as a float32 array, to compare with the fixture's tensors. */
    static NDArray onDevice(NDManager m, double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return NativeArrays.copyOf(m, f, new Shape(f.length));
    }

    @Test
    void betasMatchTheReference() throws Exception {
        Map<String, NDArray> fixture = ParityFixture.TINY.read(manager);
        NoiseSchedule linear = schedule(1000, LINEAR, 0);
        NoiseSchedule cosine = schedule(1000, COSINE, 0);
        NoiseSchedule reference = schedule(1001, LINEAR, 1);
        assertTrue(
                ParityFixture.relativeError(
                                onDevice(manager, linear.betas()),
                                fixture.get("schedule.linear_1000"))
                        < 1e-5);
        double cosineError =
                ParityFixture.relativeError(
                        onDevice(manager, cosine.betas()), fixture.get("schedule.cosine_1000"));
        assertTrue(cosineError < 1e-5, "cosine relative error " + cosineError);
        assertTrue(
                ParityFixture.relativeError(
                                onDevice(manager, reference.betas()),
                                fixture.get("schedule.linear_1001"))
                        < 1e-5);
    }

    @Test
    void linearScheduleEndsAtThePublishedCumulativeProduct() {
        NoiseSchedule s = schedule(1000, LINEAR, 0);
        assertEquals(1e-4, s.beta(0), 1e-18);
        assertEquals(0.02, s.beta(999), 1e-17);
        // The DDPM paper's schedule keeps abar_T = 4.0358e-5 of the signal (sqrt: 0.00635).
        assertEquals(4.0358e-5, s.alphaCumprod(999), 1e-9);
        // The same product as a sum of logarithms of 1 - beta, with beta_t = 1e-4 + t * step.
        double step = (0.02 - 1e-4) / 999;
        double logProduct = 0;
        for (int t = 0; t < 1000; t++) {
            logProduct += Math.log1p(-(1e-4 + t * step));
            assertEquals(Math.exp(logProduct), s.alphaCumprod(t), 1e-12 * Math.exp(logProduct));
        }
    }

    @Test
    void cosineScheduleFollowsItsClosedFormUntilTheLastBetaIsClipped() {
        // Nichol and Dhariwal: abar_t = f(t) / f(0), f(u) = cos^2((u / T + s) / (1 + s) * pi / 2),
        // here with t counted from 1; the last beta (1 - f(T) / f(T - 1) = 1) is clipped to 0.999.
        int timesteps = 50;
        double cosineS = 0.008;
        NoiseSchedule s = schedule(timesteps, COSINE, 0);
        double f0 = f(0, timesteps, cosineS);
        for (int t = 0; t < timesteps - 1; t++) {
            double closedForm = f(t + 1, timesteps, cosineS) / f0;
            assertEquals(closedForm, s.alphaCumprod(t), 1e-4 * closedForm, "abar at t = " + t);
        }
        assertEquals(0.999, s.beta(timesteps - 1));
        assertEquals(s.alphaCumprod(timesteps - 2) * 0.001, s.alphaCumprod(timesteps - 1), 1e-15);
    }

    private static double f(int u, int timesteps, double s) {
        double c = Math.cos(((double) u / timesteps + s) / (1 + s) * Math.PI / 2);
        return c * c;
    }

    @Test
    void cumulativeProductsFallStrictlyFromOne() {
        for (NoiseSchedule s :
                new NoiseSchedule[] {schedule(1000, LINEAR, 0), schedule(50, COSINE, 0)}) {
            assertEquals(1.0, s.alphaCumprodPrev(0));
            double previous = 1;
            for (int t = 0; t < s.timesteps(); t++) {
                assertTrue(s.alphaCumprod(t) < previous && s.alphaCumprod(t) > 0, "at t = " + t);
                assertEquals(previous, s.alphaCumprodPrev(t), "abar_prev at t = " + t);
                previous = s.alphaCumprod(t);
            }
        }
    }

    /**
     * The posterior q(x_{t-1} | x_t, x_0) must agree with the forward process it comes from: its
     * mean, averaged over x_t given x_0, is {@code sqrt(abar_{t-1}) x_0}, and its variance plus the
     * variance of its mean is {@code 1 - abar_{t-1}} (the law of total variance). Neither identity
     * is how the coefficients are computed.
     */
    @Test
    void posteriorAgreesWithTheForwardProcess() {
        for (NoiseSchedule s :
                new NoiseSchedule[] {schedule(1000, LINEAR, 0), schedule(50, COSINE, 0)}) {
            assertEquals(0.0, s.posteriorVariance(0), "t = 0 is deterministic given x_0");
            double[] variances = s.posteriorVariances();
            for (int t = 0; t < s.timesteps(); t++) {
                double abar = s.alphaCumprod(t);
                double abarPrev = s.alphaCumprodPrev(t);
                assertEquals(
                        Math.sqrt(abarPrev),
                        s.posteriorMeanCoef1(t) + s.posteriorMeanCoef2(t) * Math.sqrt(abar),
                        1e-12,
                        "mean at t = " + t);
                double meanVariance =
                        s.posteriorMeanCoef2(t) * s.posteriorMeanCoef2(t) * (1 - abar);
                assertEquals(
                        1 - abarPrev,
                        s.posteriorVariance(t) + meanVariance,
                        1e-12,
                        "variance at t = " + t);
                assertEquals(s.posteriorVariance(t), variances[t]);
            }
        }
    }

    @Test
    void lossesAreMeansOfAbsoluteAndSquaredErrors() {
        try (NDManager m = manager.newSubManager()) {
            NDArray noise = NativeArrays.copyOf(m, new float[] {1, -2, 3, 0.5f}, new Shape(4));
            NDArray predicted = NativeArrays.copyOf(m, new float[] {0, 0, 1, 1}, new Shape(4));
            assertEquals(
                    (1 + 2 + 2 + 0.5) / 4,
                    DiffusionLoss.of(DiffusionConfig.Loss.L1).loss(noise, predicted).getFloat(),
                    1e-6);
            assertEquals(
                    (1 + 4 + 4 + 0.25) / 4,
                    DiffusionLoss.of(DiffusionConfig.Loss.L2).loss(noise, predicted).getFloat(),
                    1e-6);
        }
    }
}
