package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.ddpm.common.NativeArrays;
import java.util.ArrayList;
import java.util.List;

/**
 * The sampling loop every sampler shares: draws the initial noise and runs a list of
 * {@link ReverseStep}s on the device. Coefficients and timestep tensors for the whole loop are put on
 * the device once, before it; inside it nothing is copied to the host, and each step's temporaries
 * live in a sub-manager closed at the end of the step, so memory stays flat. The last step returns
 * the mean (no noise is added).
 */
final class ReverseProcess {

    private final List<ReverseStep> steps;
    private final int maxBatch;

    ReverseProcess(List<ReverseStep> steps, int maxBatch) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a reverse process needs at least one step");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.steps = List.copyOf(steps);
        this.maxBatch = maxBatch;
    }

    NDArray run(NoiseModel model, NoiseSchedule schedule, NDArray labels, double guidance, long seed,
            Shape imageShape, SamplingListener listener) {
        checkGuidance(guidance);
        if (labels.getShape().dimension() != 1 || labels.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException("labels must be int64 [B], got " + labels.getDataType() + " "
                    + labels.getShape());
        }
        long count = labels.size();
        JniUtils.setSeed(seed);
        if (count <= maxBatch) {
            return runBatch(model, schedule, labels, guidance, imageShape, listener);
        }
        NDManager out = labels.getManager();
        try (NDManager parts = out.newSubManager()) {
            NDList samples = new NDList();
            for (long from = 0; from < count; from += maxBatch) {
                NDArray part = labels.get(parts, new NDIndex(from + ":" + Math.min(count, from + maxBatch)));
                samples.add(runBatch(model, schedule, part, guidance, imageShape, listener));
            }
            NDArray all = NDArrays.concat(samples);
            all.attach(out);
            return all;
        }
    }

    static void checkGuidance(double guidance) {
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new IllegalArgumentException("guidance must be a finite number >= 0, got " + guidance);
        }
    }

    /** One batch from noise to images; the result belongs to {@code labels}' manager. */
    private NDArray runBatch(NoiseModel model, NoiseSchedule schedule, NDArray labels, double guidance,
            Shape imageShape, SamplingListener listener) {
        NDManager out = labels.getManager();
        try (NDManager loop = out.newSubManager()) {
            Conditioning conditioning = Conditioning.of(loop, labels, guidance);
            List<DeviceStep> deviceSteps = upload(loop, steps, conditioning.labels().size());
            NDArray x = loop.randomNormal(new Shape(labels.size()).addAll(imageShape));
            int total = deviceSteps.size();
            for (int i = 0; i < total; i++) {
                DeviceStep step = deviceSteps.get(i);
                try (NDManager stepManager = loop.newSubManager()) {
                    x.attach(stepManager);
                    NDArray eps = predictNoise(model, x, step.t(), conditioning);
                    boolean last = i == total - 1;
                    NDArray z = last || steps.get(i).sigma() == 0 ? null : stepManager.randomNormal(x.getShape());
                    NDArray next = apply(x, eps, step, schedule.clipX0(), z);
                    next.attach(loop);
                    x = next;
                }
                if (listener != null) {
                    listener.onStep(i, total, steps.get(i).t(), x);
                }
            }
            x.attach(out);
            return x;
        }
    }

    /**
     * What the model is given besides {@code x} and {@code t}: the labels, and for guidance the labels
     * {@code [y, -1]} of the doubled batch with the weight {@code w} as a device scalar.
     */
    record Conditioning(NDArray labels, NDArray weight) {

        static Conditioning of(NDManager manager, NDArray labels, double guidance) {
            if (guidance == 0) {
                return new Conditioning(labels, null);
            }
            NDArray both = labels.concat(NativeArrays.filled(manager, labels.getShape(), -1));
            both.attach(manager);
            return new Conditioning(both, NativeArrays.scalar(manager, (float) guidance));
        }
    }

    /**
     * The noise estimate: conditional, or with guidance {@code eps_c + w (eps_c - eps_u)} from one
     * forward pass over {@code [x, x]} with labels {@code [y, -1]}. The result, and everything the
     * model computes on the way, belongs to {@code x}'s manager.
     */
    static NDArray predictNoise(NoiseModel model, NDArray x, NDArray t, Conditioning conditioning) {
        NDManager m = x.getManager();
        // A model's intermediates belong to the manager of their first operand, which may be t or the
        // labels (the embeddings): lend those to x's (per-step) manager so the step frees them.
        t.tempAttach(m);
        conditioning.labels().tempAttach(m);
        if (conditioning.weight() == null) {
            NDArray eps = model.predictNoise(x, t, conditioning.labels());
            eps.attach(m);
            return eps;
        }
        NDArray both = model.predictNoise(x.concat(x), t, conditioning.labels());
        both.attach(m);
        NDList halves = both.split(2);
        NDArray conditional = halves.get(0);
        return conditional.sub(halves.get(1)).muli(conditioning.weight()).addi(conditional);
    }

    /**
     * {@code x0 = a x_t - b eps} (clamped when asked), then {@code c x0 + d x_t + sigma z} ({@code z}
     * null: the mean). The result belongs to {@code xt}'s manager.
     */
    static NDArray apply(NDArray xt, NDArray eps, DeviceStep step, boolean clip, NDArray z) {
        NDArray x0 = xt.mul(step.a()).subi(eps.mul(step.b()));
        if (clip) {
            x0 = x0.clip(-1, 1);
        }
        NDArray prev = x0.muli(step.c()).addi(xt.mul(step.d()));
        if (z != null) {
            prev.addi(z.mul(step.sigma()));
        }
        return prev;
    }

    /** One step's coefficients as float32 scalars on the device, and its timestep tensor {@code [B]}. */
    record DeviceStep(NDArray t, NDArray a, NDArray b, NDArray c, NDArray d, NDArray sigma) {}

    /** All steps' coefficients in one host-to-device transfer; timesteps filled on the device. */
    static List<DeviceStep> upload(NDManager manager, List<ReverseStep> steps, long batch) {
        float[] table = new float[steps.size() * 5];
        for (int i = 0; i < steps.size(); i++) {
            ReverseStep s = steps.get(i);
            table[5 * i] = (float) s.a();
            table[5 * i + 1] = (float) s.b();
            table[5 * i + 2] = (float) s.c();
            table[5 * i + 3] = (float) s.d();
            table[5 * i + 4] = (float) s.sigma();
        }
        NDList scalars = NativeArrays.copyOf(manager, table, new Shape(table.length)).split(table.length);
        List<DeviceStep> result = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            NDArray t = manager.full(new Shape(batch), steps.get(i).t(), DataType.INT64);
            result.add(new DeviceStep(t, scalars.get(5 * i), scalars.get(5 * i + 1), scalars.get(5 * i + 2),
                    scalars.get(5 * i + 3), scalars.get(5 * i + 4)));
        }
        return result;
    }
}
