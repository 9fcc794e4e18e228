package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.ddpm.common.UserException;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void malformedSpecsAreUsageErrorsNamingTheAllowedValues() {
        for (String bad : new String[] {"", "cuda", "gpu:", "gpu:x", "tpu"}) {
            UserException e = assertThrows(UserException.class, () -> Devices.resolve(bad));
            assertTrue(e.getMessage().contains("auto, cpu, gpu or gpu:N"), e.getMessage());
        }
    }

    @Test
    void autoTakesTheGpuWhenThereIsOneElseTheCpu() {
        Device d = Devices.resolve("auto");
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        assertEquals(gpus > 0 ? Device.gpu(0) : Device.cpu(), d);
        assertEquals(Device.cpu(), Devices.resolve("cpu"));
    }

    @Test
    void askingForAGpuWhereThereIsNoneIsAClearError() {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        UserException e = assertThrows(UserException.class, () -> Devices.resolve("gpu"));
        assertTrue(e.getMessage().contains("no GPU"), e.getMessage());
        assertThrows(UserException.class, () -> Devices.resolve("gpu:1"));
    }
}
