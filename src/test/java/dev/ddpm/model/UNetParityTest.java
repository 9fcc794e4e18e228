package dev.ddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.diffusion.NoiseModel;
import dev.ddpm.io.ReferenceWeights;
import dev.ddpm.io.Safetensors;
import dev.ddpm.testing.ParityFixture;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The model computes the reference's function: outputs of the parity fixtures (the tiny one in
 * every clone, the small one where ../shared is), parameter counts.
 */
class UNetParityTest {

    static double relativeError(NDArray actual, NDArray expected) {
        double diff = actual.sub(expected).norm().getFloat();
        return diff / expected.norm().getFloat();
    }

    @Test
    void parameterCountsMatchTheReference() {
        // parameter shapes are fixed by the constructors: no need to allocate them
        assertEquals(51_067_777L, new UNet(ModelConfig.reference()).parameterCount());
        for (ParityFixture fixture : ParityFixture.values()) {
            assertEquals(
                    fixture.parameters(), new UNet(fixture.model()).parameterCount(), "" + fixture);
        }
    }

    /** So that what passes on the tiny fixture in a clone is what CI checks on the small one. */
    @Test
    void theTinyFixtureHoldsTheSmallOnesTensorsAtASmallerSize() throws Exception {
        Set<String> tiny = Safetensors.readHeader(ParityFixture.TINY.file()).entries().keySet();
        Set<String> small = Safetensors.readHeader(ParityFixture.SMALL.file()).entries().keySet();
        assertEquals(new TreeSet<>(small), new TreeSet<>(tiny));
    }

    @ParameterizedTest
    @EnumSource(ParityFixture.class)
    void matchesTheReferenceOutputs(ParityFixture parity) throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> fixture = parity.read(manager);
            UNet model = UNet.create(parity.model(), manager);
            model.loadWeights(ReferenceWeights.modelTensors(fixture));
            NDArray x = fixture.get("input.x");
            NDArray t = fixture.get("input.t");
            NDArray labels = fixture.get("input.labels");
            NoiseModel live = model.noiseModel(new ParameterStore(manager, false), false);
            double withLabels =
                    relativeError(live.predictNoise(x, t, labels), fixture.get("output.eps"));
            double noLabels =
                    relativeError(live.predictNoise(x, t, null), fixture.get("output.eps_nolabel"));
            double negativeLabels =
                    relativeError(
                            live.predictNoise(x, t, labels.neg().sub(1)),
                            fixture.get("output.eps_nolabel"));
            System.out.printf(
                    "parity (%s): rel. error %.3g with labels, %.3g without, %.3g with negative"
                            + " labels%n",
                    parity, withLabels, noLabels, negativeLabels);
            assertTrue(withLabels < 1e-4, "relative error with labels " + withLabels);
            assertTrue(noLabels < 1e-4, "relative error without labels " + noLabels);
            assertTrue(
                    negativeLabels < 1e-4, "relative error with negative labels " + negativeLabels);

            try (NDManager frozenManager = manager.newSubManager()) {
                NoiseModel frozen = model.frozenNoiseModel(frozenManager);
                double frozenError =
                        relativeError(frozen.predictNoise(x, t, labels), fixture.get("output.eps"));
                System.out.printf(
                        "parity (%s): rel. error %.3g with frozen kernels%n", parity, frozenError);
                assertTrue(frozenError < 1e-4, "relative error of the frozen model " + frozenError);
            }
        }
    }
}
