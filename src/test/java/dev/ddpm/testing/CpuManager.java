package dev.ddpm.testing;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A CPU {@link NDManager} shared by the tests of one class, opened before the first and closed
 * after the last: {@code @RegisterExtension static final CpuManager CPU = new CpuManager();}.
 */
public final class CpuManager implements BeforeAllCallback, AfterAllCallback {

    private NDManager manager;

    /** The open manager; only between the class's first and last test. */
    public NDManager get() {
        return manager;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        manager.close();
    }
}
