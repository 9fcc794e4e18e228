package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.ddpm.common.UserException;
import org.junit.jupiter.api.Test;

/** {@code --device} against machines with no, one and two GPUs. */
class DevicesTest {

    @Test
    void malformedSpecsAreUsageErrorsNamingTheAllowedValues() {
        for (String bad : new String[] {"", "cuda", "gpu:", "gpu:x", "tpu"}) {
            UserException e = assertThrows(UserException.class, () -> Devices.resolve(bad));
            assertTrue(e.getMessage().contains("auto, cpu, gpu or gpu:N"), e.getMessage());
        }
    }

    @Test
    void autoTakesTheFirstGpuWhenThereIsOneElseTheCpu() {
        assertEquals(Device.cpu(), Devices.choose("auto", 0));
        assertEquals(Device.gpu(0), Devices.choose("auto", 1));
        assertEquals(Device.gpu(0), Devices.choose(" auto ", 2));
    }

    @Test
    void cpuIsTheCpuEvenWhereThereAreGpus() {
        assertEquals(Device.cpu(), Devices.choose("cpu", 0));
        assertEquals(Device.cpu(), Devices.choose("cpu", 2));
    }

    @Test
    void gpuNamesTheFirstOrTheNumberedGpu() {
        assertEquals(Device.gpu(0), Devices.choose("gpu", 1));
        assertEquals(Device.gpu(1), Devices.choose("gpu:1", 2));
    }

    @Test
    void aGpuThatIsNotThereIsAClearErrorNamingWhatIsThere() {
        UserException none = assertThrows(UserException.class, () -> Devices.choose("gpu", 0));
        assertTrue(none.getMessage().contains("no GPU"), none.getMessage());
        assertTrue(none.getMessage().contains("--device cpu"), none.getMessage());
        UserException beyond = assertThrows(UserException.class, () -> Devices.choose("gpu:2", 2));
        assertTrue(beyond.getMessage().contains("gpu:0 .. gpu:1"), beyond.getMessage());
    }

    @Test
    void theCpuResolvesOnEveryMachine() {
        assertEquals(Device.cpu(), Devices.resolve("cpu"));
    }
}
