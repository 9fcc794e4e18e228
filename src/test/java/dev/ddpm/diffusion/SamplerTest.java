package dev.ddpm.diffusion;

import static dev.ddpm.config.DiffusionConfig.Schedule.COSINE;
import static dev.ddpm.config.DiffusionConfig.Schedule.LINEAR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.common.Seeds;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.config.TimestepSpacing;
import dev.ddpm.model.UNet;
import dev.ddpm.testing.CpuManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SamplerTest {

    private static final Shape IMAGE = new Shape(1, 8, 8);

    @RegisterExtension static final CpuManager CPU = new CpuManager();

    private static NoiseSchedule schedule(
            int timesteps, DiffusionConfig.Schedule kind, int finalTimestep) {
        return NoiseScheduleTest.schedule(timesteps, kind, finalTimestep);
    }

    /** The standard linear and cosine schedules and the reference's 1001-step linear one. */
    private static List<NoiseSchedule> linearCosineAndReference() {
        return List.of(
                schedule(1000, LINEAR, 0), schedule(1000, COSINE, 0), schedule(1001, LINEAR, 1));
    }

    /**
     * One batch through the shared loop from noise seeded per image, libtorch seeded for the noise
     * along the way (as the generator does).
     */
    static NDArray run(
            Sampler sampler,
            NoiseModel model,
            NoiseSchedule schedule,
            NDArray labels,
            double guidance,
            long seed,
            Shape image,
            SamplingListener listener) {
        long[] seeds = new long[Math.toIntExact(labels.size())];
        for (int k = 0; k < seeds.length; k++) {
            seeds[k] = Seeds.mix(seed, k);
        }
        NDArray noise = ReverseProcess.initialNoise(labels.getManager(), image, seeds);
        JniUtils.setSeed(seed);
        return new ReverseProcess(sampler, schedule).run(model, labels, guidance, noise, listener);
    }

    private static float[] sample(
            Sampler sampler,
            NoiseModel model,
            NoiseSchedule schedule,
            long[] labels,
            double guidance,
            long seed) {
        try (NDManager m = CPU.get().newSubManager()) {
            NDArray x =
                    run(
                            sampler,
                            model,
                            schedule,
                            NativeArrays.copyOf(m, labels),
                            guidance,
                            seed,
                            IMAGE,
                            null);
            assertEquals(new Shape(labels.length).addAll(IMAGE), x.getShape());
            return x.toFloatArray();
        }
    }

    static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    void sameSeedGivesIdenticalSamples() {
        NoiseSchedule s = schedule(40, LINEAR, 0);
        long[] labels = {3, 7, 1};
        for (Sampler sampler : List.of(new DdpmSampler(), new DdimSampler(8, 0.5))) {
            float[] first = sample(sampler, new ToyNoiseModel(), s, labels, 0, 5);
            float[] second = sample(sampler, new ToyNoiseModel(), s, labels, 0, 5);
            float[] otherSeed = sample(sampler, new ToyNoiseModel(), s, labels, 0, 6);
            assertArrayEquals(first, second);
            assertFalse(Arrays.equals(first, otherSeed));
            for (float v : first) {
                assertTrue(v >= -1 && v <= 1, "sample value " + v + " outside [-1, 1]");
            }
        }
    }

    @Test
    void ddimWithEveryTimestepAndEtaOneUsesDdpmPosteriorStd() {
        for (NoiseSchedule s : linearCosineAndReference()) {
            List<ReverseStep> ddpm = new DdpmSampler().plan(s);
            List<ReverseStep> ddim = new DdimSampler(s.reverseSteps(), 1.0).plan(s);
            assertEquals(ddpm.size(), ddim.size());
            for (int i = 0; i < ddpm.size(); i++) {
                ReverseStep p = ddpm.get(i);
                ReverseStep q = ddim.get(i);
                assertEquals(p.t(), q.t());
                assertEquals(Math.sqrt(s.posteriorVariance(p.t())), p.sigma());
                assertEquals(p.sigma(), q.sigma(), 1e-12 * p.sigma(), "sigma at t = " + p.t());
                assertEquals(
                        p.c(), q.c(), 1e-9 * Math.abs(p.c()), "x0 coefficient at t = " + p.t());
                assertEquals(
                        p.d(), q.d(), 1e-9 * Math.abs(p.d()), "x_t coefficient at t = " + p.t());
            }
        }
        NoiseSchedule s = schedule(50, LINEAR, 0);
        long[] labels = {0, 9};
        float[] ddpm = sample(new DdpmSampler(), new ToyNoiseModel(), s, labels, 0, 11);
        float[] ddim = sample(new DdimSampler(50, 1.0), new ToyNoiseModel(), s, labels, 0, 11);
        assertTrue(
                maxAbsDifference(ddpm, ddim) < 1e-5,
                "max difference " + maxAbsDifference(ddpm, ddim));
    }

    @Test
    void ddimVisitsEvenlySpacedTimestepsWithinTheSchedule() {
        NoiseSchedule standard = schedule(1000, LINEAR, 0);
        NoiseSchedule reference = schedule(1001, LINEAR, 1);
        int[] ts = new DdimSampler(50, 0).timesteps(standard);
        assertEquals(50, ts.length);
        assertEquals(999, ts[0]);
        assertEquals(0, ts[49]);
        for (int i = 1; i < ts.length; i++) {
            assertTrue(ts[i] < ts[i - 1]);
        }
        int[] all = new DdimSampler(1000, 0).timesteps(reference);
        assertEquals(1000, all[0]);
        assertEquals(1, all[999]);
        assertEquals(999, all.length - 1);
        assertEquals(1, new DdimSampler(1, 0).plan(standard).size());
        assertThrows(IllegalArgumentException.class, () -> new DdimSampler(1001, 0).plan(standard));
        assertThrows(IllegalArgumentException.class, () -> new DdimSampler(0, 0));
        for (ReverseStep step : new DdimSampler(20, 0).plan(standard)) {
            assertEquals(0.0, step.sigma());
        }
    }

    @Test
    void trailingSpacingStepsEvenlyDownFromTheFirstTimestep() {
        NoiseSchedule standard = schedule(1000, LINEAR, 0);
        NoiseSchedule reference = schedule(1001, LINEAR, 1);
        assertArrayEquals(
                new int[] {999, 799, 599, 399, 199},
                Timesteps.spaced(TimestepSpacing.TRAILING, standard, 999, 5));
        assertArrayEquals(
                new int[] {1000, 800, 600, 400, 200},
                Timesteps.spaced(TimestepSpacing.TRAILING, reference, 1000, 5));
        int[] all = Timesteps.spaced(TimestepSpacing.TRAILING, standard, 999, 1000);
        for (int i = 0; i < all.length; i++) {
            assertEquals(999 - i, all[i]);
        }
        assertArrayEquals(all, Timesteps.spaced(TimestepSpacing.LINSPACE, standard, 999, 1000));
        assertArrayEquals(all, Timesteps.spaced(TimestepSpacing.LOGSNR, standard, 999, 1000));
        assertArrayEquals(
                new int[] {999}, Timesteps.spaced(TimestepSpacing.LINSPACE, standard, 999, 1));
        NoiseSchedule short10 = schedule(10, LINEAR, 0);
        assertThrows(
                IllegalArgumentException.class,
                () -> Timesteps.spaced(TimestepSpacing.TRAILING, short10, 9, 11));
        assertArrayEquals(
                new int[] {999, 799, 599, 399, 199},
                new DdimSampler(5, 0, TimestepSpacing.TRAILING).timesteps(standard));
    }

    @Test
    void logSnrSpacingTakesEvenStepsInLambdaDownToTheFinalTimestep() {
        for (NoiseSchedule s : linearCosineAndReference()) {
            int first = DpmSolverSampler.firstTimestep(s);
            for (int steps : new int[] {2, 10, 15, 100}) {
                int[] ts = Timesteps.spaced(TimestepSpacing.LOGSNR, s, first, steps);
                assertEquals(steps, ts.length);
                assertEquals(first, ts[0]);
                assertEquals(s.finalTimestep(), ts[steps - 1]);
                double h = (s.lambda(s.finalTimestep()) - s.lambda(first)) / (steps - 1);
                for (int i = 1; i < steps; i++) {
                    assertTrue(ts[i] < ts[i - 1]);
                    if (steps <= 15) {
                        // the nearest timestep: neither neighbour is nearer the even share
                        double miss = Math.abs(s.lambda(ts[i]) - (s.lambda(first) + h * i));
                        for (int neighbour : new int[] {ts[i] - 1, ts[i] + 1}) {
                            if (neighbour >= s.finalTimestep() && neighbour <= first) {
                                assertTrue(
                                        miss
                                                <= Math.abs(
                                                        s.lambda(neighbour)
                                                                - (s.lambda(first) + h * i)),
                                        "step " + i + " of " + steps);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void guidanceZeroIsPlainConditionalSamplingInOnePass() {
        NoiseSchedule s = schedule(30, LINEAR, 0);
        long[] labels = {2, 5, -1};
        ToyNoiseModel plain = new ToyNoiseModel();
        sample(new DdimSampler(6, 0.3), plain, s, labels, 0, 1);
        assertEquals(6, plain.calls.size());
        for (long[] call : plain.calls) {
            assertArrayEquals(labels, call);
        }
    }

    @Test
    void guidanceCombinesBothPredictionsFromOneBatchedPass() {
        double w = 2.5;
        NoiseSchedule s = schedule(30, LINEAR, 0);
        long[] labels = {2, 5};
        ToyNoiseModel batched = new ToyNoiseModel();
        float[] guided = sample(new DdpmSampler(), batched, s, labels, w, 3);
        assertEquals(30, batched.calls.size());
        for (long[] call : batched.calls) {
            assertArrayEquals(new long[] {2, 5, -1, -1}, call);
        }
        ToyNoiseModel toy = new ToyNoiseModel();
        NoiseModel twoPasses =
                (x, t, y) -> {
                    NDArray conditional = toy.predictNoise(x, t, y);
                    NDArray unconditional = toy.predictNoise(x, t, y.onesLike().neg());
                    NDArray weight = NativeArrays.scalar(x.getManager(), (float) (1 + w));
                    return unconditional.add(conditional.sub(unconditional).mul(weight));
                };
        float[] expected = sample(new DdpmSampler(), twoPasses, s, labels, 0, 3);
        assertTrue(maxAbsDifference(expected, guided) < 1e-5);
        assertFalse(
                Arrays.equals(
                        guided, sample(new DdpmSampler(), new ToyNoiseModel(), s, labels, 0, 3)));
        assertThrows(
                IllegalArgumentException.class,
                () -> sample(new DdpmSampler(), new ToyNoiseModel(), s, labels, -1, 3));
    }

    @Test
    void memoryStaysFlatOverTheLoop() {
        NoiseSchedule s = schedule(60, LINEAR, 0);
        try (NDManager m = CPU.get().newSubManager()) {
            List<Integer> liveArrays = new ArrayList<>();
            SamplingListener count =
                    (i, total, t, x) -> liveArrays.add(CPU.get().getManagedArrays().size());
            NDArray x =
                    run(
                            new DdpmSampler(),
                            new ToyNoiseModel(),
                            s,
                            NativeArrays.copyOf(m, new long[] {1, 2}),
                            1.5,
                            0,
                            IMAGE,
                            count);
            assertEquals(60, liveArrays.size());
            assertEquals(
                    1,
                    liveArrays.stream().distinct().count(),
                    "live arrays per step: " + liveArrays);
            assertEquals(s.timesteps(), liveArrays.size());
            x.close();
        }
    }

    @Test
    void memoryStaysFlatWithTheUNet() {
        ModelConfig tiny = new ModelConfig(8, 2, 8, 10, 1, 16, List.of(0), 8);
        NoiseSchedule s = schedule(20, LINEAR, 0);
        try (NDManager m = CPU.get().newSubManager()) {
            NoiseModel unet = UNet.create(tiny, m).frozenNoiseModel(m);
            List<Integer> liveArrays = new ArrayList<>();
            SamplingListener count =
                    (i, total, t, x) -> liveArrays.add(CPU.get().getManagedArrays().size());
            run(
                    new DdimSampler(6, 1.0),
                    unet,
                    s,
                    NativeArrays.copyOf(m, new long[] {1, 2}),
                    1.5,
                    0,
                    new Shape(1, 16, 16),
                    count);
            assertEquals(
                    1,
                    liveArrays.stream().distinct().count(),
                    "live arrays per step: " + liveArrays);
        }
    }

    @Test
    void listenerSeesEveryStepAndTheFinalSample() {
        NoiseSchedule s = schedule(1001, LINEAR, 1);
        try (NDManager m = CPU.get().newSubManager()) {
            List<Integer> timesteps = new ArrayList<>();
            float[][] lastFrame = new float[1][];
            SamplingListener listener =
                    (i, total, t, x) -> {
                        timesteps.add(t);
                        assertEquals(5, total);
                        if (i == total - 1) {
                            lastFrame[0] = x.toFloatArray();
                        }
                    };
            NDArray x =
                    run(
                            new DdimSampler(5, 0),
                            new ToyNoiseModel(),
                            s,
                            NativeArrays.copyOf(m, new long[] {4}),
                            0,
                            2,
                            IMAGE,
                            listener);
            assertEquals(List.of(1000, 750, 501, 251, 1), timesteps);
            assertArrayEquals(lastFrame[0], x.toFloatArray());
        }
    }
}
