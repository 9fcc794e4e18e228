package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.diffusion.NoiseSchedule;
import dev.ddpm.testing.ParityFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ForwardProcessTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static ForwardProcess process(int timesteps, int finalTimestep) {
        DiffusionConfig r = DiffusionConfig.reference();
        return new ForwardProcess(
                NoiseSchedule.create(
                        new DiffusionConfig(
                                timesteps,
                                r.schedule(),
                                r.betaStart(),
                                r.betaEnd(),
                                r.cosineS(),
                                finalTimestep,
                                r.clipX0(),
                                r.loss(),
                                r.schedulePrecision())),
                0,
                manager);
    }

    @Test
    void forwardProcessMatchesTheReference() throws Exception {
        Map<String, NDArray> fixture = ParityFixture.TINY.read(manager);
        NDArray xt =
                process(1001, 1)
                        .qSample(fixture.get("q.x0"), fixture.get("q.t"), fixture.get("q.noise"));
        double error = ParityFixture.relativeError(xt, fixture.get("q.xt"));
        assertTrue(error < 1e-5, "relative error " + error);
    }

    @Test
    void timestepsAreUniformIntegersBelowTAndSeeded() {
        ForwardProcess s = process(7, 0);
        try (NDManager m = manager.newSubManager()) {
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
    void minSnrWeightsCapTheEasyTimesteps() {
        DiffusionConfig r = DiffusionConfig.reference();
        NoiseSchedule schedule = NoiseSchedule.create(r);
        ForwardProcess weighted = new ForwardProcess(schedule, 5, manager);
        assertEquals(null, process(1000, 0).lossWeights(manager.create(new long[] {0})));
        try (NDManager m = manager.newSubManager()) {
            long[] ts = {0, 100, 500, 999};
            float[] w =
                    weighted.lossWeights(dev.ddpm.common.NativeArrays.copyOf(m, ts)).toFloatArray();
            for (int i = 0; i < ts.length; i++) {
                double abar = schedule.alphaCumprod((int) ts[i]);
                double snr = abar / (1 - abar);
                assertEquals(Math.min(snr, 5) / snr, w[i], 1e-6, "t = " + ts[i]);
            }
            assertTrue(w[0] < 0.01 && w[3] == 1f, "low noise weighted down, high noise kept");
        }
    }
}
