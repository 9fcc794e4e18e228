package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.NativeArrays;

/**
 * Times the sampling loop (for {@code ddpm bench}): a short warm-up, then one full {@link Sampler#sample}
 * of a batch whose labels cycle through the classes, ended by copying the result to the host so that
 * asynchronous devices have really finished.
 */
public final class SamplingBenchmark {

    /** Wall time of one sampling run. */
    public record Result(int batch, int steps, double seconds) {
        public double millisPerStep() {
            return 1000 * seconds / steps;
        }
    }

    private SamplingBenchmark() {}

    public static Result run(NoiseModel model, NoiseSchedule schedule, Sampler sampler, NDManager manager, int batch,
            int numClasses, Shape imageShape, double guidance) {
        try (NDManager m = manager.newSubManager()) {
            long[] labels = new long[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % numClasses;
            }
            NDArray labelArray = NativeArrays.copyOf(m, labels);
            new DdimSampler(Math.min(2, schedule.reverseSteps()), 0)
                    .sample(model, schedule, labelArray, guidance, 0, imageShape, null).toFloatArray();
            long start = System.nanoTime();
            sampler.sample(model, schedule, labelArray, guidance, 0, imageShape, null).toFloatArray();
            return new Result(batch, sampler.steps(schedule), (System.nanoTime() - start) / 1e9);
        }
    }
}
