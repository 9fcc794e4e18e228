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
    void derivedArraysFollowTheFormulas() {
        NoiseSchedule s = schedule(50, COSINE, 0);
        assertEquals(50, s.timesteps());
        assertEquals(1.0, s.alphaCumprodPrev(0));
        assertEquals(0.0, s.posteriorVariance(0));
        double product = 1;
        for (int t = 0; t < 50; t++) {
            assertTrue(s.beta(t) >= 1e-4 && s.beta(t) <= 0.999);
            assertEquals(product, s.alphaCumprodPrev(t), 1e-15);
            product *= 1 - s.beta(t);
            assertEquals(product, s.alphaCumprod(t), 1e-15);
            double variance = (1 - s.alphaCumprodPrev(t)) / (1 - s.alphaCumprod(t)) * s.beta(t);
            assertEquals(variance, s.posteriorVariance(t), 1e-15);
            assertEquals(
                    Math.sqrt(s.alphaCumprodPrev(t)) * s.beta(t) / (1 - s.alphaCumprod(t)),
                    s.posteriorMeanCoef1(t),
                    1e-15);
            assertEquals(
                    Math.sqrt(1 - s.beta(t))
                            * (1 - s.alphaCumprodPrev(t))
                            / (1 - s.alphaCumprod(t)),
                    s.posteriorMeanCoef2(t),
                    1e-15);
        }
        double[] variances = s.posteriorVariances();
        for (int t = 0; t < 50; t++) {
            assertEquals(s.posteriorVariance(t), variances[t]);
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
