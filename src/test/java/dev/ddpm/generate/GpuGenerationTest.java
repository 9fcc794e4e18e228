package dev.ddpm.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.ReferenceWeights;
import dev.ddpm.model.UNet;
import dev.ddpm.testing.Gpus;
import dev.ddpm.testing.ParityFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A DDIM grid (eta 0) of the same weights and seed on a GPU and on the CPU: the starting noise
 * comes from the CPU's generator on both, so the images agree up to float rounding (TF32 off).
 * Skips where there is no GPU.
 */
class GpuGenerationTest {

    @ParameterizedTest
    @EnumSource(ParityFixture.class)
    void ddimDrawsTheSameImagesOnTheGpuAsOnTheCpu(ParityFixture parity) throws Exception {
        Device gpu = Gpus.first();
        DdpmConfig config = DdpmConfig.reference().withModel(parity.model());
        long[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        SamplingSettings settings = SamplingSettings.ddim(20, 7).withGuidance(2);
        float[][] images = new float[2][];
        try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
            Map<String, NDArray> weights = ReferenceWeights.modelTensors(parity.read(host));
            int i = 0;
            for (Device device : List.of(Device.cpu(), gpu)) {
                try (NDManager manager = NDManager.newBaseManager(device)) {
                    UNet model = UNet.create(parity.model(), manager);
                    model.loadWeights(weights);
                    images[i++] =
                            Generator.of(config, model, Generator.Weights.TRAINED, null, manager)
                                    .generate(labels, settings, null)
                                    .pixels();
                }
            }
        }
        assertEquals(images[0].length, images[1].length);
        double diff = 0;
        double norm = 0;
        for (int p = 0; p < images[0].length; p++) {
            diff += Math.pow(images[0][p] - images[1][p], 2);
            norm += Math.pow(images[0][p], 2);
        }
        double relative = Math.sqrt(diff / norm);
        System.out.printf("GPU vs CPU DDIM grid: rel. difference %.3g%n", relative);
        assertTrue(relative < 1e-3, "GPU and CPU grids differ by " + relative);
    }
}
