package dev.ddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class SamplingBenchmarkTest {

    @Test
    void timesEveryStepOfOneBatch() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
                NoiseSchedule s = NoiseSchedule.create(NoiseScheduleTest.config(30, "linear", 0), m)) {
            ToyNoiseModel model = new ToyNoiseModel();
            int liveBefore = m.getManagedArrays().size();
            SamplingBenchmark.Result r = SamplingBenchmark.run(model, s, new DdimSampler(7, 0), m, 10, 10,
                    new Shape(1, 8, 8), 0);
            assertEquals(10, r.batch());
            assertEquals(7, r.steps());
            assertTrue(r.seconds() > 0 && r.millisPerStep() == 1000 * r.seconds() / 7);
            assertEquals(2 + 7, model.calls.size(), "a two-step warm-up, then the timed steps");
            assertEquals(10, model.calls.get(8).length);
            assertEquals(9, model.calls.get(8)[9]);
            assertEquals(liveBefore, m.getManagedArrays().size(), "nothing left on the device");
        }
    }
}
