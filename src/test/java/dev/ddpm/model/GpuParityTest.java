package dev.ddpm.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.ddpm.diffusion.NoiseModel;
import dev.ddpm.io.ReferenceWeights;
import dev.ddpm.testing.Gpus;
import dev.ddpm.testing.ParityFixture;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The U-Net on a GPU computes the reference's function: each parity fixture within 1e-4 relative,
 * live and with frozen kernels. Run with TF32 off ({@code NVIDIA_TF32_OVERRIDE=0}): with it,
 * cuDNN's convolutions round their inputs to 10-bit mantissas. Skips where there is no GPU.
 */
class GpuParityTest {

    @ParameterizedTest
    @EnumSource(ParityFixture.class)
    void matchesTheReferenceOnTheGpu(ParityFixture parity) throws Exception {
        Device gpu = Gpus.first();
        try (NDManager host = NDManager.newBaseManager(Device.cpu());
                NDManager manager = NDManager.newBaseManager(gpu)) {
            Map<String, NDArray> fixture = parity.read(host);
            UNet model = UNet.create(parity.model(), manager);
            model.loadWeights(ReferenceWeights.modelTensors(fixture));
            NDArray x = fixture.get("input.x").toDevice(gpu, true);
            NDArray t = fixture.get("input.t").toDevice(gpu, true);
            NDArray labels = fixture.get("input.labels").toDevice(gpu, true);
            NoiseModel live = model.noiseModel(new ParameterStore(manager, false), false);
            double withLabels =
                    ParityFixture.relativeError(
                            live.predictNoise(x, t, labels), fixture.get("output.eps"));
            double noLabels =
                    ParityFixture.relativeError(
                            live.predictNoise(x, t, null), fixture.get("output.eps_nolabel"));
            double frozen =
                    ParityFixture.relativeError(
                            model.frozenNoiseModel(manager).predictNoise(x, t, labels),
                            fixture.get("output.eps"));
            System.out.printf(
                    "GPU parity (%s, %s): rel. error %.3g with labels, %.3g without, %.3g frozen%n",
                    gpu, parity, withLabels, noLabels, frozen);
            assertTrue(withLabels < 1e-4, "relative error with labels " + withLabels);
            assertTrue(noLabels < 1e-4, "relative error without labels " + noLabels);
            assertTrue(frozen < 1e-4, "relative error with frozen kernels " + frozen);
        }
    }
}
