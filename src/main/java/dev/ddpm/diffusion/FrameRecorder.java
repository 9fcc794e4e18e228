package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps host copies of the images at a few steps of a sampling loop, for animations. The kept steps
 * lie on a power curve of the step index, so they are sparse at the start, where the images are
 * still noise, and dense at the end, where the digit appears; the last step (the final sample) is
 * always kept. Only kept steps are copied to the host. Parts of a split batch are joined per step.
 */
public final class FrameRecorder implements SamplingListener {

    /** Exponent of the curve: about half the frames fall in the last tenth of the steps. */
    static final double POWER = 3;

    /**
     * One kept step: timestep {@code t} and the images {@code [N, C, H, W]} after it, on the host.
     */
    public record Frame(int t, float[] values, Shape shape) {}

    private final Map<Integer, Integer> frameOfStep = new LinkedHashMap<>();
    private final List<Frame> frames = new ArrayList<>();

    /**
     * @param frames how many frames to keep (at most one per step)
     */
    public FrameRecorder(int totalSteps, int frames) {
        int[] steps = frameSteps(totalSteps, frames);
        for (int i = 0; i < steps.length; i++) {
            frameOfStep.put(steps[i], i);
        }
    }

    /**
     * Step indices of {@code min(frames, totalSteps)} frames, ascending and distinct, the last
     * being {@code totalSteps - 1}: frame {@code k} of {@code F} sits at {@code (S - 1)(1 - (1 -
     * k/(F-1))^3)}, moved down where rounding would repeat a step.
     */
    public static int[] frameSteps(int totalSteps, int frames) {
        if (totalSteps < 1 || frames < 1) {
            throw new IllegalArgumentException(
                    "need at least one step and one frame, got " + totalSteps + " and " + frames);
        }
        int count = Math.min(frames, totalSteps);
        int[] steps = new int[count];
        for (int k = 0; k < count; k++) {
            double u = count == 1 ? 1 : (double) k / (count - 1);
            steps[k] = (int) Math.round((totalSteps - 1) * (1 - Math.pow(1 - u, POWER)));
        }
        for (int k = count - 2; k >= 0; k--) {
            steps[k] = Math.min(steps[k], steps[k + 1] - 1);
        }
        return steps;
    }

    @Override
    public void onStep(int stepIndex, int totalSteps, int t, NDArray xt) {
        Integer frame = frameOfStep.get(stepIndex);
        if (frame == null) {
            return;
        }
        float[] values = xt.toFloatArray();
        Shape shape = xt.getShape();
        if (frame < frames.size()) { // a later part of a split batch: append its images
            Frame earlier = frames.get(frame);
            float[] joined =
                    Arrays.copyOf(earlier.values(), earlier.values().length + values.length);
            System.arraycopy(values, 0, joined, earlier.values().length, values.length);
            frames.set(
                    frame,
                    new Frame(
                            t,
                            joined,
                            new Shape(earlier.shape().get(0) + shape.get(0))
                                    .addAll(shape.slice(1))));
        } else {
            frames.add(new Frame(t, values, shape));
        }
    }

    /** The kept frames, in sampling order. */
    public List<Frame> frames() {
        return List.copyOf(frames);
    }
}
