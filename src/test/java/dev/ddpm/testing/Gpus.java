package dev.ddpm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** The GPU a GPU test runs on, or the test is skipped with a reason on a machine without one. */
public final class Gpus {

    private Gpus() {}

    /**
     * The first GPU libtorch sees; skips the test when there is none (every CPU-only machine, CI
     * included).
     */
    public static Device first() {
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        assumeTrue(
                gpus > 0,
                "no GPU visible to libtorch (CUDA build and NVIDIA GPU needed): GPU test skipped");
        return Device.gpu(0);
    }
}
