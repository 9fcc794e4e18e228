package dev.ddpm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.config.TrainConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exponential moving average of the weights, {@code ema = d ema + (1 - d) w} after every optimizer
 * step.
 *
 * <p>Warm-up: the decay of update {@code n} (0-based) ramps up from 0 (the first update copies the
 * weights), so that the average does not remember the random initial weights for {@code
 * 1/(1-decay)} steps:
 *
 * <ul>
 *   <li>{@code power}: {@code d_n = min(decay, 1 - (1 + n)^(-2/3))} (the warm-up of Karras et al.,
 *       diffusers' {@code EMAModel} with {@code power = 2/3}). {@code 1 - d_n} is about {@code
 *       n^(-2/3)}, so the average spans a share of the run that shrinks slowly: 0.990 after 1,000
 *       updates, 0.9978 after 10,000, 0.9995 after 100,000. Short and long runs both get an average
 *       of their recent weights.
 *   <li>{@code linear}: {@code d_n = decay * min(1, n / warmupSteps)}; with {@code warmupSteps = 0}
 *       the full decay applies from the start.
 * </ul>
 */
public final class Ema {

    /** How the decay ramps up (see the class comment). */
    public record Warmup(double decay, boolean power, int steps) {

        static final double POWER = 2.0 / 3.0;

        public static Warmup of(TrainConfig train) {
            return new Warmup(
                    train.emaDecay(),
                    train.emaWarmup() == TrainConfig.EmaWarmup.POWER,
                    train.emaWarmupSteps());
        }

        /** The decay used by update number {@code n} (0-based). */
        public double decayAt(long n) {
            if (power) {
                return Math.min(decay, 1 - Math.pow(1 + n, -POWER));
            }
            return steps == 0 ? decay : decay * Math.min(1.0, (double) n / steps);
        }
    }

    private final Warmup warmup;
    private final List<NDArray> weights;
    private final NDManager manager;
    private final Map<String, NDArray> averages = new LinkedHashMap<>();
    private long updates;

    /**
     * @param weights the live weights, by name; the average starts as a copy of them
     * @param manager owns the averages; on the weights' device
     */
    public Ema(Map<String, NDArray> weights, Warmup warmup, NDManager manager) {
        this.warmup = warmup;
        this.weights = new ArrayList<>(weights.values());
        this.manager = manager;
        weights.forEach(
                (name, w) -> {
                    NDArray copy = w.duplicate();
                    copy.attach(manager);
                    averages.put(name, copy);
                });
    }

    /** Folds the current weights into the average: three in-place ops per tensor and one scalar. */
    public void update() {
        try (NDArray d = NativeArrays.scalar(manager, (float) warmup.decayAt(updates))) {
            int i = 0;
            for (NDArray average : averages.values()) {
                NDArray w = weights.get(i++);
                // d (ema - w) + w = d ema + (1 - d) w
                average.subi(w).muli(d).addi(w);
            }
        }
        updates++;
    }

    public long updates() {
        return updates;
    }

    /** The averaged weights under the model's parameter names (live arrays). */
    public Map<String, NDArray> weights() {
        return Collections.unmodifiableMap(averages);
    }

    /**
     * Restores averages saved from {@link #weights()} and the update count.
     *
     * @throws IllegalArgumentException naming every missing, unknown or wrong-shaped tensor
     */
    public void load(Map<String, NDArray> saved, long updates) {
        List<String> problems = new ArrayList<>();
        averages.forEach(
                (name, a) -> {
                    NDArray s = saved.get(name);
                    if (s == null) {
                        problems.add(name + " (missing)");
                    } else if (!s.getShape().equals(a.getShape())) {
                        problems.add(
                                name
                                        + " (shape "
                                        + s.getShape()
                                        + ", expected "
                                        + a.getShape()
                                        + ")");
                    }
                });
        saved.keySet().stream()
                .filter(k -> !averages.containsKey(k))
                .forEach(k -> problems.add(k + " (unknown)"));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "EMA weights do not match the model: " + String.join(", ", problems));
        }
        averages.forEach((name, a) -> NativeArrays.copyInto(saved.get(name), a));
        this.updates = updates;
    }
}
