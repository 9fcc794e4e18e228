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
import dev.ddpm.common.NativeArrays;
import dev.ddpm.common.Seeds;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.config.TimestepSpacing;
import dev.ddpm.testing.CpuManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DPM-Solver++: its relation to DDIM, its order of accuracy on a known answer, its plan. */
class DpmSolverTest {

    private static final Shape IMAGE = new Shape(1, 8, 8);

    @RegisterExtension static final CpuManager CPU = new CpuManager();

    /** A 1,000-step schedule in double precision; {@code clip} clamps x0 estimates. */
    private static NoiseSchedule schedule(DiffusionConfig.Schedule kind, boolean clip) {
        DiffusionConfig r = DiffusionConfig.reference();
        return NoiseSchedule.create(
                new DiffusionConfig(
                        1000,
                        kind,
                        r.betaStart(),
                        r.betaEnd(),
                        r.cosineS(),
                        0,
                        clip,
                        r.loss(),
                        DiffusionConfig.Precision.FLOAT64));
    }

    private static float[] sample(
            Sampler sampler,
            NoiseModel model,
            NoiseSchedule s,
            long[] labels,
            double w,
            long seed) {
        try (NDManager m = CPU.get().newSubManager()) {
            return SamplerTest.run(
                            sampler, model, s, NativeArrays.copyOf(m, labels), w, seed, IMAGE, null)
                    .toFloatArray();
        }
    }

    @Test
    void firstOrderIsDdimWithEtaZero() {
        for (NoiseSchedule s : List.of(schedule(LINEAR, true), schedule(COSINE, true))) {
            for (int t = 1; t < s.timesteps(); t += 37) {
                for (double abarNext : new double[] {s.alphaCumprod(t / 2), 1}) {
                    ReverseStep ddim = ReverseStep.ddim(s, t, abarNext, 0);
                    ReverseStep dpm = ReverseStep.dpmSolverPlusPlus(s, t, abarNext, Double.NaN);
                    assertEquals(ddim.c(), dpm.c(), 1e-12, "x0 coefficient at t = " + t);
                    assertEquals(ddim.d(), dpm.d(), 1e-12, "x_t coefficient at t = " + t);
                    assertEquals(0, dpm.e());
                    assertEquals(0, dpm.sigma());
                }
            }
        }
        // the same timesteps (the linear schedule needs no log-SNR clipping): the same images
        NoiseSchedule linear = schedule(LINEAR, true);
        DpmSolverSampler firstOrder = new DpmSolverSampler(10, 1, TimestepSpacing.LINSPACE);
        DdimSampler ddim = new DdimSampler(10, 0);
        assertArrayEquals(ddim.timesteps(linear), firstOrder.timesteps(linear));
        long[] labels = {3, 8, -1};
        for (double w : new double[] {0, 1.5}) {
            float[] a = sample(ddim, new ToyNoiseModel(), linear, labels, w, 4);
            float[] b = sample(firstOrder, new ToyNoiseModel(), linear, labels, w, 4);
            assertTrue(
                    SamplerTest.maxAbsDifference(a, b) < 1e-5,
                    "max difference " + SamplerTest.maxAbsDifference(a, b));
        }
    }

    /**
     * The error of x at the last visited timestep (before the final step to no noise, which returns
     * the x0 estimate) against the exact flow from the same starting noise, RMS over the pixels.
     * Labels 0-9 and guidance {@code w} make each image a Gaussian of its own mean.
     */
    private static double flowError(
            DpmSolverSampler sampler, NoiseSchedule s, double w, double sd) {
        GaussianNoiseModel model = new GaussianNoiseModel(s, sd);
        long[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        int[] ts = sampler.timesteps(s);
        try (NDManager m = CPU.get().newSubManager()) {
            long[] seeds = new long[labels.length];
            for (int k = 0; k < seeds.length; k++) {
                seeds[k] = Seeds.mix(1, k);
            }
            NDArray noise = ReverseProcess.initialNoise(m, IMAGE, seeds);
            float[] start = noise.toFloatArray();
            float[][] beforeLast = new float[1][];
            new ReverseProcess(sampler, s)
                    .run(
                            model,
                            NativeArrays.copyOf(m, labels),
                            w,
                            noise,
                            (i, total, t, x) -> {
                                if (i == total - 2) {
                                    beforeLast[0] = x.toFloatArray();
                                }
                            });
            int perImage = Math.toIntExact(IMAGE.size());
            double sum = 0;
            for (int k = 0; k < start.length; k++) {
                double mu = GaussianNoiseModel.guidedMean(labels[k / perImage], w);
                double exact =
                        model.flow(
                                start[k],
                                mu,
                                s.alphaCumprod(ts[0]),
                                s.alphaCumprod(ts[ts.length - 1]));
                sum += Math.pow(beforeLast[0][k] - exact, 2);
            }
            return Math.sqrt(sum / start.length);
        }
    }

    /**
     * Order of accuracy with the exact noise predictor of Gaussian data, on the cosine schedule
     * (log-SNR clipped) with guidance, for the spacings that end at the final timestep (the DDIM
     * paper's and even in log-SNR): DDIM's (first-order DPM-Solver++, to start from the same
     * timestep) error halves per doubling of the steps (first order), DPM-Solver++(2M)'s falls
     * about fourfold (second order). Before 20 steps the steps are too large for the asymptotic
     * rate (about 2 and 1 in lambda at 5 and 10 steps), and rounding to whole timesteps makes
     * log-SNR steps uneven at 20 (0.5 in lambda, where one timestep near t = 0 is 0.12), so there
     * the 2M error only has to fall; from 20 to 80 steps it falls 3.9-4.5x per doubling.
     */
    @Test
    void dpmSolver2mIsSecondOrderAndDdimFirst() {
        NoiseSchedule cosine = schedule(COSINE, false);
        int[] steps = {5, 10, 20, 40, 80};
        for (TimestepSpacing spacing : List.of(TimestepSpacing.LINSPACE, TimestepSpacing.LOGSNR)) {
            double[] ddim = new double[steps.length];
            double[] dpm = new double[steps.length];
            for (int i = 0; i < steps.length; i++) {
                for (int order = 1; order <= 2; order++) {
                    double error =
                            flowError(
                                    new DpmSolverSampler(steps[i], order, spacing),
                                    cosine,
                                    0.5,
                                    0.8);
                    (order == 1 ? ddim : dpm)[i] = error;
                }
            }
            String errors =
                    spacing + ": DDIM " + Arrays.toString(ddim) + ", 2M " + Arrays.toString(dpm);
            for (int i = 1; i < steps.length; i++) {
                double ddimRatio = ddim[i - 1] / ddim[i];
                assertTrue(
                        ddimRatio > 1.8 && ddimRatio < 2.3,
                        "DDIM ratio " + ddimRatio + ": " + errors);
                assertTrue(dpm[i] < dpm[i - 1], errors);
            }
            for (int i = 3; i < steps.length; i++) {
                double ratio = dpm[i - 1] / dpm[i];
                assertTrue(ratio > 3.3 && ratio < 5, "2M ratio " + ratio + ": " + errors);
            }
            assertTrue(dpm[2] < ddim[2] && dpm[4] < ddim[4] / 3, errors);
        }
    }

    @Test
    void planStartsAndEndsFirstOrderAndEndsAtTheModelsEstimate() {
        for (NoiseSchedule s : List.of(schedule(LINEAR, true), schedule(COSINE, true))) {
            List<ReverseStep> plan = new DpmSolverSampler(10, 2, TimestepSpacing.TRAILING).plan(s);
            assertEquals(10, plan.size());
            assertEquals(0, plan.get(0).e());
            for (ReverseStep step : plan.subList(1, 9)) {
                assertTrue(step.e() < 0, "second order uses the previous estimate: " + step);
                assertEquals(0, step.sigma());
            }
            ReverseStep last = plan.get(9);
            assertEquals(new ReverseStep(last.t(), last.a(), last.b(), 1, 0, 0, 0), last);
        }
        NoiseSchedule linear = schedule(LINEAR, true);
        assertArrayEquals(
                new int[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99},
                new DpmSolverSampler(10, 2, TimestepSpacing.TRAILING).timesteps(linear));
        assertEquals(1, new DpmSolverSampler(1, 2, TimestepSpacing.TRAILING).plan(linear).size());
        assertThrows(IllegalArgumentException.class, () -> new DpmSolverSampler(0, 2, null));
        assertThrows(
                IllegalArgumentException.class,
                () -> new DpmSolverSampler(5, 3, TimestepSpacing.TRAILING));
    }

    @Test
    void cosineScheduleStartsWhereLogSnrIsClipped() {
        NoiseSchedule cosine = schedule(COSINE, true);
        NoiseSchedule linear = schedule(LINEAR, true);
        int first = DpmSolverSampler.firstTimestep(cosine);
        assertTrue(first < 999, "the cosine schedule ends below lambda -5.1");
        assertTrue(cosine.lambda(first) >= DpmSolverSampler.LAMBDA_MIN_CLIPPED);
        assertTrue(cosine.lambda(first + 1) < DpmSolverSampler.LAMBDA_MIN_CLIPPED);
        assertEquals(999, DpmSolverSampler.firstTimestep(linear));
        assertEquals(first + 1, DpmSolverSampler.maxSteps(cosine));
        int[] ts = new DpmSolverSampler(20, 2, TimestepSpacing.LINSPACE).timesteps(cosine);
        assertEquals(first, ts[0]);
        assertEquals(0, ts[19]);
        assertThrows(
                IllegalArgumentException.class,
                () -> new DpmSolverSampler(first + 2, 2, TimestepSpacing.LINSPACE).plan(cosine));
    }

    @Test
    void sameSeedSameImagesWithinRangeAndFlatMemory() {
        for (NoiseSchedule s : List.of(schedule(LINEAR, true), schedule(COSINE, true))) {
            Sampler sampler = new DpmSolverSampler(8, 2, TimestepSpacing.TRAILING);
            long[] labels = {1, 4, -1};
            float[] first = sample(sampler, new ToyNoiseModel(), s, labels, 0.5, 3);
            assertArrayEquals(first, sample(sampler, new ToyNoiseModel(), s, labels, 0.5, 3));
            assertFalse(
                    Arrays.equals(first, sample(sampler, new ToyNoiseModel(), s, labels, 0.5, 4)));
            for (float v : first) {
                assertTrue(v >= -1 && v <= 1, "a clamped x0 estimate is the result: " + v);
            }
            try (NDManager m = CPU.get().newSubManager()) {
                List<Integer> live = new ArrayList<>();
                SamplerTest.run(
                        sampler,
                        new ToyNoiseModel(),
                        s,
                        NativeArrays.copyOf(m, labels),
                        1.5,
                        0,
                        IMAGE,
                        (i, total, t, x) -> live.add(CPU.get().getManagedArrays().size()));
                assertEquals(1, live.stream().distinct().count(), "live arrays per step: " + live);
            }
        }
    }
}
