package dev.ddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class FrameRecorderTest {

    @Test
    void framesAreDistinctStepsDenserNearTheEnd() {
        int[] steps = FrameRecorder.frameSteps(1000, 60);
        assertEquals(60, steps.length);
        assertEquals(0, steps[0]);
        assertEquals(999, steps[59]);
        for (int i = 1; i < steps.length; i++) {
            assertTrue(
                    steps[i] > steps[i - 1], "steps ascend: " + java.util.Arrays.toString(steps));
        }
        long inLastTenth = java.util.Arrays.stream(steps).filter(s -> s >= 900).count();
        assertTrue(inLastTenth >= 20, inLastTenth + " of 60 frames in the last tenth of the steps");
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, FrameRecorder.frameSteps(5, 60));
        assertArrayEquals(new int[] {9}, FrameRecorder.frameSteps(10, 1));
    }

    @Test
    void keepsOnlyChosenStepsAndJoinsSplitBatches() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            FrameRecorder recorder = new FrameRecorder(4, 2); // steps 0 and 3
            for (int part = 0; part < 2; part++) {
                for (int i = 0; i < 4; i++) {
                    recorder.onStep(
                            i,
                            4,
                            40 - 10 * i,
                            m.full(new Shape(part + 1, 1, 1, 2), 10f * part + i));
                }
            }
            assertEquals(2, recorder.frames().size());
            FrameRecorder.Frame last = recorder.frames().get(1);
            assertEquals(10, last.t());
            assertEquals(new Shape(3, 1, 1, 2), last.shape());
            assertArrayEquals(new float[] {3, 3, 13, 13, 13, 13}, last.values());
            assertArrayEquals(
                    new float[] {0, 0, 10, 10, 10, 10}, recorder.frames().get(0).values());
        }
    }
}
