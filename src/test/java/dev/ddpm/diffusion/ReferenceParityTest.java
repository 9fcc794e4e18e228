package dev.ddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.io.ReferenceWeights;
import dev.ddpm.model.UNet;
import dev.ddpm.testing.ParityFixture;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The loss and the reverse step against the reference's own numbers, with its weights (the tiny
 * fixture in every clone, the small one where ../shared is).
 */
class ReferenceParityTest {

    private static NDManager manager;

    /** The fixture's tensors and its model with frozen kernels, read once per fixture. */
    private record Loaded(Map<String, NDArray> tensors, NoiseModel model) {}

    private static final Map<ParityFixture, Loaded> LOADED = new EnumMap<>(ParityFixture.class);

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static Loaded load(ParityFixture parity) throws IOException {
        Loaded loaded = LOADED.get(parity);
        if (loaded == null) {
            Map<String, NDArray> tensors = parity.read(manager);
            UNet unet = UNet.create(parity.model(), manager);
            unet.loadWeights(ReferenceWeights.modelTensors(tensors));
            loaded = new Loaded(tensors, unet.frozenNoiseModel(manager));
            LOADED.put(parity, loaded);
        }
        return loaded;
    }

    private static NoiseSchedule referenceSchedule(boolean clip) {
        return referenceSchedule(clip, DiffusionConfig.Precision.FLOAT64);
    }

    private static NoiseSchedule referenceSchedule(
            boolean clip, DiffusionConfig.Precision precision) {
        DiffusionConfig r = DiffusionConfig.reference();
        return NoiseSchedule.create(
                new DiffusionConfig(
                        1001,
                        DiffusionConfig.Schedule.LINEAR,
                        r.betaStart(),
                        r.betaEnd(),
                        r.cosineS(),
                        1,
                        clip,
                        DiffusionConfig.Loss.L1,
                        precision));
    }

    private static void assertClose(
            Loaded fixture, NDArray actual, String expected, double tolerance) {
        double error = ParityFixture.relativeError(actual, fixture.tensors().get(expected));
        assertTrue(error < tolerance, expected + ": relative error " + error);
    }

    /**
     * The sampling loop's own step ({@link ReverseProcess#step}) from the fixture's {@code x_t} at
     * {@code t} with noise {@code z} (null: the mean, as at the final timestep).
     */
    private static NDArray reverseStep(Loaded fixture, NoiseSchedule schedule, int t, NDArray z) {
        NDArray xt = fixture.tensors().get("p.xt");
        NDManager out = xt.getManager();
        try (NDManager step = out.newSubManager()) {
            NDArray labels = fixture.tensors().get("input.labels");
            ReverseProcess.Conditioning conditioning =
                    ReverseProcess.Conditioning.of(step, labels, 0);
            ReverseProcess.DeviceStep coefficients =
                    ReverseProcess.upload(
                                    step, List.of(ReverseStep.ddpm(schedule, t)), labels.size())
                            .get(0);
            NDArray x = xt.duplicate();
            x.attach(step);
            NDArray prev =
                    ReverseProcess.step(
                                    fixture.model(),
                                    x,
                                    null,
                                    coefficients,
                                    conditioning,
                                    schedule.clipX0(),
                                    z)
                            .x();
            prev.attach(out);
            return prev;
        }
    }

    @ParameterizedTest
    @EnumSource(ParityFixture.class)
    void l1LossOfTheForwardProcessMatches(ParityFixture parity) throws IOException {
        // The fixture's own x_t (checked against the forward process in ForwardProcessTest).
        Loaded fixture = load(parity);
        Map<String, NDArray> tensors = fixture.tensors();
        try (NDManager m = manager.newSubManager()) {
            NDArray predicted =
                    fixture.model()
                            .predictNoise(
                                    tensors.get("q.xt"),
                                    tensors.get("q.t"),
                                    tensors.get("input.labels"));
            predicted.attach(m);
            NDArray loss =
                    DiffusionLoss.of(DiffusionConfig.Loss.L1)
                            .loss(tensors.get("q.noise"), predicted);
            assertClose(fixture, loss, "loss.l1", 1e-4);
        }
    }

    @ParameterizedTest
    @EnumSource(ParityFixture.class)
    void reverseStepsMatchClippedAndUnclipped(ParityFixture parity) throws IOException {
        Loaded fixture = load(parity);
        NDArray z = fixture.tensors().get("p.z");
        assertClose(
                fixture,
                reverseStep(fixture, referenceSchedule(true), 1000, z),
                "p.x_prev_clipped",
                1e-4);
        assertClose(
                fixture,
                reverseStep(fixture, referenceSchedule(false), 1000, z),
                "p.x_prev_unclipped",
                1e-4);
    }

    /**
     * The final step at t = 1. There {@code 1 - abar_1} is about 2.2e-4, so the reference, which
     * derives its schedule in float32, is about 1.6e-4 away from the exact step; this toolkit
     * derives the schedule in double precision by default. With {@code schedule_precision =
     * float32} it does the reference's arithmetic and reproduces the fixture; the exact step stays
     * within the reference's rounding of it.
     */
    @ParameterizedTest
    @EnumSource(ParityFixture.class)
    void finalStepMatchesWithTheReferencesFloat32ScheduleAndStaysCloseWithTheExactOne(
            ParityFixture parity) throws IOException {
        Loaded fixture = load(parity);
        assertClose(
                fixture,
                reverseStep(
                        fixture,
                        referenceSchedule(true, DiffusionConfig.Precision.FLOAT32),
                        1,
                        null),
                "p.x_final_t1_clipped",
                1e-4);
        assertClose(
                fixture,
                reverseStep(
                        fixture,
                        referenceSchedule(true, DiffusionConfig.Precision.FLOAT64),
                        1,
                        null),
                "p.x_final_t1_clipped",
                3e-4);
    }
}
