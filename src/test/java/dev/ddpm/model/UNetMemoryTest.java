package dev.ddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.diffusion.NoiseModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Training steps release everything they create: no native memory grows with the number of steps.
 */
class UNetMemoryTest {

    /** Every kind of block (attention included) at a size that runs 200 steps in seconds. */
    static final ModelConfig TINY = new ModelConfig(16, 2, 16, 10, 1, 16, List.of(0), 4);

    @Test
    void trainingStepsLeaveNoArraysBehind() {
        try (NDManager root = NDManager.newBaseManager("PyTorch");
                NDManager modelManager = root.newSubManager()) {
            JniUtils.setSeed(1);
            // One intra-op thread: at this size, parallelism costs more than it gains (restored
            // below).
            int threads = JniUtils.getNumThreads();
            JniUtils.setNumThreads(1);
            try {
                train200Steps(root, modelManager);
            } finally {
                JniUtils.setNumThreads(threads);
            }
        }
    }

    private static void train200Steps(NDManager root, NDManager modelManager) {
        UNet model = UNet.create(TINY, modelManager);
        ParameterStore ps = new ParameterStore(modelManager, false);
        NoiseModel noiseModel = model.noiseModel(ps, true);
        int liveAfterWarmUp = -1;
        int modelArraysAfterWarmUp = -1;
        for (int step = 0; step < 200; step++) {
            try (NDManager stepManager = root.newSubManager()) {
                NDArray x = stepManager.randomNormal(new Shape(2, 1, 16, 16));
                NDArray t = stepManager.randomInteger(0, 1000, new Shape(2), DataType.INT64);
                NDArray labels = stepManager.randomInteger(-1, 10, new Shape(2), DataType.INT64);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray eps = noiseModel.predictNoise(x, t, labels);
                    collector.backward(eps.sub(x).abs().mean());
                }
            }
            if (step == 4) {
                liveAfterWarmUp = root.getManagedArrays().size();
                modelArraysAfterWarmUp = modelManager.getManagedArrays().size();
            }
        }
        // the counts include sub-managers: the root sees the model's arrays
        assertTrue(modelArraysAfterWarmUp > 0 && liveAfterWarmUp >= modelArraysAfterWarmUp);
        assertEquals(
                modelArraysAfterWarmUp,
                modelManager.getManagedArrays().size(),
                "arrays attached to the model's manager after warm-up vs after 200 steps");
        assertEquals(
                liveAfterWarmUp,
                root.getManagedArrays().size(),
                "live arrays after warm-up vs after 200 steps");
    }
}
