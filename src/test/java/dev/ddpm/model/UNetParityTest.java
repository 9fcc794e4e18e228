package dev.ddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.diffusion.NoiseModel;
import dev.ddpm.io.Safetensors;
import dev.ddpm.testing.SharedFixtures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model computes the reference's function: outputs of the parity fixture, parameter counts. */
class UNetParityTest {

    static final ModelConfig SMALL = new ModelConfig(32, 2, 64, 10, 1, 32, List.of(0), 8);

    static double relativeError(NDArray actual, NDArray expected) {
        double diff = actual.sub(expected).norm().getFloat();
        return diff / expected.norm().getFloat();
    }

    @Test
    void parameterCountsMatchTheReference() {
        // parameter shapes are fixed by the constructors: no need to allocate them
        assertEquals(51_067_777L, new UNet(ModelConfig.reference()).parameterCount());
        assertEquals(3_206_369L, new UNet(SMALL).parameterCount());
    }

    @Test
    void matchesTheReferenceOutputs() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> fixture =
                    Safetensors.read(SharedFixtures.parityFixture(), manager).tensors();
            Map<String, NDArray> weights = new LinkedHashMap<>();
            fixture.forEach(
                    (name, array) -> {
                        if (name.startsWith("model.")) {
                            weights.put(name.substring("model.".length()), array);
                        }
                    });
            UNet model = UNet.create(SMALL, manager);
            model.loadWeights(weights);
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
                    "parity: rel. error %.3g with labels, %.3g without, %.3g with negative"
                            + " labels%n",
                    withLabels, noLabels, negativeLabels);
            assertTrue(withLabels < 1e-4, "relative error with labels " + withLabels);
            assertTrue(noLabels < 1e-4, "relative error without labels " + noLabels);
            assertTrue(
                    negativeLabels < 1e-4, "relative error with negative labels " + negativeLabels);

            try (NDManager frozenManager = manager.newSubManager()) {
                NoiseModel frozen = model.frozenNoiseModel(frozenManager);
                double frozenError =
                        relativeError(frozen.predictNoise(x, t, labels), fixture.get("output.eps"));
                System.out.printf("parity: rel. error %.3g with frozen kernels%n", frozenError);
                assertTrue(frozenError < 1e-4, "relative error of the frozen model " + frozenError);
            }
        }
    }
}
