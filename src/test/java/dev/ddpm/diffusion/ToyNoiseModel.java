package dev.ddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * A cheap noise predictor for sampler tests that depends on {@code x}, {@code t} and the label
 * ({@code eps = (0.5 + t / 1000) x + 0.05 (y + 1)} for a label {@code y >= 0}, without the label
 * term otherwise), and records the labels of every call. Results belong to {@code x}'s manager, as
 * a well-behaved model's do.
 */
final class ToyNoiseModel implements NoiseModel {

    final List<long[]> calls = new ArrayList<>();

    @Override
    public NDArray predictNoise(NDArray xt, NDArray t, NDArray labels) {
        calls.add(labels.toLongArray());
        NDManager m = xt.getManager();
        long batch = xt.getShape().get(0);
        NDArray time = t.toType(DataType.FLOAT32, true);
        time.attach(m);
        NDArray label = labels.toType(DataType.FLOAT32, true);
        label.attach(m);
        NDArray labelTerm =
                label.add(1)
                        .mul(label.gte(0).toType(DataType.FLOAT32, false))
                        .mul(0.05f)
                        .reshape(batch, 1, 1, 1);
        return xt.mul(time.div(1000f).add(0.5f).reshape(batch, 1, 1, 1)).add(labelTerm);
    }
}
