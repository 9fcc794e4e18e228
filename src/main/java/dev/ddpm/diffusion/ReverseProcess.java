package dev.ddpm.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.config.SamplingLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * The sampling loop every sampler shares: draws the initial noise and runs a plan of {@link
 * ReverseStep}s on the device. Coefficients and timestep tensors for the whole loop are put on the
 * device once, before it; inside it nothing is copied to the host, and each step's temporaries live
 * in a sub-manager closed at the end of the step, so memory stays flat. Each step's x0 estimate
 * stays on the device for the next (multistep solvers use it). The last step returns the mean (no
 * noise is added).
 *
 * <p>The starting noise is given ({@link #initialNoise} draws it per image); the noise a stochastic
 * sampler adds on the way comes from libtorch's generator: seed it before {@link #run} for
 * reproducible images.
 */
public final class ReverseProcess {

    private final List<ReverseStep> plan;
    private final boolean clipX0;

    public ReverseProcess(Sampler sampler, NoiseSchedule schedule) {
        this.plan = List.copyOf(sampler.plan(schedule));
        this.clipX0 = schedule.clipX0();
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("a reverse process needs at least one step");
        }
    }

    /** Reverse steps of one pass. */
    public int steps() {
        return plan.size();
    }

    /**
     * One batch from noise to images.
     *
     * @param labels int64 class labels {@code [B]} on the device; a negative label samples without
     *     one
     * @param guidance classifier-free guidance weight {@code w >= 0}: the noise estimate is {@code
     *     eps_uncond + (1 + w) (eps_cond - eps_uncond)}, so 0 is plain conditional sampling (one
     *     forward pass per step) and {@code w > 0} runs the conditional and unconditional
     *     predictions in one batched pass
     * @param noise the starting images {@code [B, C, H, W]} (float32, on the device), e.g. from
     *     {@link #initialNoise}; the loop takes them over
     * @param listener called after every step, or null
     * @return the samples {@code [B, C, H, W]} (float32, on the labels' device and manager)
     */
    public NDArray run(
            NoiseModel model,
            NDArray labels,
            double guidance,
            NDArray noise,
            SamplingListener listener) {
        SamplingLimits.requireGuidance(guidance);
        if (labels.getShape().dimension() != 1 || labels.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException(
                    "labels must be int64 [B], got "
                            + labels.getDataType()
                            + " "
                            + labels.getShape());
        }
        if (noise.getShape().get(0) != labels.size()) {
            throw new IllegalArgumentException(
                    "noise " + noise.getShape() + " does not match " + labels.size() + " labels");
        }
        NDManager out = labels.getManager();
        try (NDManager loop = out.newSubManager()) {
            Conditioning conditioning = Conditioning.of(loop, labels, guidance);
            List<DeviceStep> deviceSteps = upload(loop, plan, conditioning.labels().size());
            NDArray x = noise;
            x.attach(loop);
            NDArray x0 = null; // the previous step's x0 estimate, for multistep solvers
            int total = deviceSteps.size();
            for (int i = 0; i < total; i++) {
                try (NDManager stepManager = loop.newSubManager()) {
                    x.attach(stepManager);
                    if (x0 != null) {
                        x0.attach(stepManager);
                    }
                    boolean last = i == total - 1;
                    NDArray z =
                            last || plan.get(i).sigma() == 0
                                    ? null
                                    : stepManager.randomNormal(x.getShape());
                    Estimate next =
                            step(
                                    model,
                                    x,
                                    plan.get(i).e() == 0 ? null : x0,
                                    deviceSteps.get(i),
                                    conditioning,
                                    clipX0,
                                    z);
                    next.x().attach(loop);
                    next.x0().attach(loop);
                    x = next.x();
                    x0 = next.x0();
                }
                if (listener != null) {
                    listener.onStep(i, total, plan.get(i).t(), x);
                }
            }
            x0.close();
            x.attach(out);
            return x;
        }
    }

    /**
     * Starting noise {@code [N, C, H, W]} for images whose seeds are {@code seeds}: each image is
     * drawn on its own by the CPU's generator seeded with its seed, then all are moved to the
     * manager's device at once. An image's noise so depends on nothing but its seed: not on the
     * batch it is sampled in, nor on the device, so deterministic samplers (DDIM with eta 0,
     * DPM-Solver++) draw the same images however the images are batched and on every device.
     * Reseeds libtorch's generator.
     */
    public static NDArray initialNoise(NDManager manager, Shape imageShape, long[] seeds) {
        try (NDManager host =
                NDManager.newBaseManager(Device.cpu(), manager.getEngine().getEngineName())) {
            NDList images = new NDList(seeds.length);
            for (long seed : seeds) {
                JniUtils.setSeed(seed);
                images.add(host.randomNormal(new Shape(1).addAll(imageShape)));
            }
            NDArray noise = NDArrays.concat(images).toDevice(manager.getDevice(), true);
            noise.attach(manager);
            return noise;
        }
    }

    /** The images after a step and the x0 estimate the step made on the way. */
    record Estimate(NDArray x, NDArray x0) {}

    /**
     * One reverse step from {@code x} ({@code z} null: the mean; {@code previousX0} null: a step
     * without it); the result, and everything computed on the way, belongs to {@code x}'s manager.
     */
    static Estimate step(
            NoiseModel model,
            NDArray x,
            NDArray previousX0,
            DeviceStep step,
            Conditioning conditioning,
            boolean clip,
            NDArray z) {
        NDArray eps = predictNoise(model, x, step.t(), conditioning);
        NDArray x0 = x.mul(step.a()).subi(eps.mul(step.b()));
        if (clip) {
            x0 = x0.clip(-1, 1);
        }
        NDArray next = x0.mul(step.c()).addi(x.mul(step.d()));
        if (previousX0 != null) {
            next.addi(previousX0.mul(step.e()));
        }
        if (z != null) {
            next.addi(z.mul(step.sigma()));
        }
        return new Estimate(next, x0);
    }

    /**
     * What the model is given besides {@code x} and {@code t}: the labels, and for guidance the
     * labels {@code [y, -1]} of the doubled batch with the weight {@code w} as a device scalar.
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
    private static NDArray predictNoise(
            NoiseModel model, NDArray x, NDArray t, Conditioning conditioning) {
        NDManager m = x.getManager();
        // A model's intermediates belong to the manager of their first operand, which may be t or
        // the
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
     * One step's coefficients as float32 scalars on the device, and its timestep tensor {@code
     * [B]}.
     */
    record DeviceStep(
            NDArray t, NDArray a, NDArray b, NDArray c, NDArray d, NDArray e, NDArray sigma) {}

    /** Coefficients of a step on the device: a, b, c, d, e, sigma. */
    private static final int COEFFICIENTS = 6;

    /** All steps' coefficients in one host-to-device transfer; timesteps filled on the device. */
    static List<DeviceStep> upload(NDManager manager, List<ReverseStep> steps, long batch) {
        int n = COEFFICIENTS;
        float[] table = new float[steps.size() * n];
        for (int i = 0; i < steps.size(); i++) {
            ReverseStep s = steps.get(i);
            double[] row = {s.a(), s.b(), s.c(), s.d(), s.e(), s.sigma()};
            for (int k = 0; k < n; k++) {
                table[n * i + k] = (float) row[k];
            }
        }
        NDList scalars =
                NativeArrays.copyOf(manager, table, new Shape(table.length)).split(table.length);
        List<DeviceStep> result = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            NDArray t = NativeArrays.filled(manager, new Shape(batch), steps.get(i).t());
            result.add(
                    new DeviceStep(
                            t,
                            scalars.get(n * i),
                            scalars.get(n * i + 1),
                            scalars.get(n * i + 2),
                            scalars.get(n * i + 3),
                            scalars.get(n * i + 4),
                            scalars.get(n * i + 5)));
        }
        return result;
    }
}
