package dev.ddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.ddpm.config.DiffusionConfig;
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

    static DiffusionConfig config(int timesteps, String schedule, int finalTimestep) {
        DiffusionConfig r = DiffusionConfig.reference();
        return new DiffusionConfig(timesteps, schedule, r.betaStart(), r.betaEnd(), r.cosineS(), finalTimestep,
                r.clipX0(), r.loss(), r.schedulePrecision());
    }

    @Test
    void betasMatchTheReference() throws Exception {
        Map<String, NDArray> fixture = ParityFixture.read(manager);
        try (NoiseSchedule linear = NoiseSchedule.create(config(1000, "linear", 0), manager);
                NoiseSchedule cosine = NoiseSchedule.create(config(1000, "cosine", 0), manager);
                NoiseSchedule reference = NoiseSchedule.create(config(1001, "linear", 1), manager)) {
            assertTrue(ParityFixture.relativeError(linear.betas(), fixture.get("schedule.linear_1000")) < 1e-5);
            double cosineError = ParityFixture.relativeError(cosine.betas(), fixture.get("schedule.cosine_1000"));
            assertTrue(cosineError < 1e-5, "cosine relative error " + cosineError);
            assertTrue(ParityFixture.relativeError(reference.betas(), fixture.get("schedule.linear_1001")) < 1e-5);
        }
    }

    @Test
    void forwardProcessMatchesTheReference() throws Exception {
        Map<String, NDArray> fixture = ParityFixture.read(manager);
        try (NoiseSchedule schedule = NoiseSchedule.create(config(1001, "linear", 1), manager)) {
            NDArray xt = schedule.qSample(fixture.get("q.x0"), fixture.get("q.t"), fixture.get("q.noise"));
            double error = ParityFixture.relativeError(xt, fixture.get("q.xt"));
            assertTrue(error < 1e-5, "relative error " + error);
        }
    }

    @Test
    void derivedArraysFollowTheFormulas() {
        try (NoiseSchedule s = NoiseSchedule.create(config(50, "cosine", 0), manager)) {
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
            }
            float[] onDevice = s.posteriorVariance().toFloatArray();
            for (int t = 0; t < 50; t++) {
                assertEquals((float) s.posteriorVariance(t), onDevice[t]);
            }
            assertEquals(DataType.FLOAT32, s.alphasCumprod().getDataType());
        }
    }

    @Test
    void timestepsAreUniformIntegersBelowTAndSeeded() {
        try (NoiseSchedule s = NoiseSchedule.create(config(7, "linear", 0), manager);
                NDManager m = manager.newSubManager()) {
            JniUtils.setSeed(3);
            NDArray t = s.sampleTimesteps(m, 7000);
            assertEquals(DataType.INT64, t.getDataType());
            long[] values = t.toLongArray();
            int[] counts = new int[7];
            for (long v : values) {
                assertTrue(v >= 0 && v < 7, "timestep " + v);
                counts[(int) v]++;
            }
            for (int c : counts) {
                assertTrue(c > 850 && c < 1150, "counts " + java.util.Arrays.toString(counts));
            }
            JniUtils.setSeed(3);
            assertArrayEquals(values, s.sampleTimesteps(m, 7000).toLongArray());
        }
    }

    @Test
    void lossesAreMeansOfAbsoluteAndSquaredErrors() {
        try (NDManager m = manager.newSubManager()) {
            NDArray noise = m.create(new float[] {1, -2, 3, 0.5f});
            NDArray predicted = m.create(new float[] {0, 0, 1, 1});
            assertEquals((1 + 2 + 2 + 0.5) / 4, DiffusionLoss.of("l1").loss(noise, predicted).getFloat(), 1e-6);
            assertEquals((1 + 4 + 4 + 0.25) / 4, DiffusionLoss.of("l2").loss(noise, predicted).getFloat(), 1e-6);
        }
    }
}
