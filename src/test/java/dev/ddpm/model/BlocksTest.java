package dev.ddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The building blocks against direct computations of their definitions (docs/architecture.md). */
class BlocksTest {

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
        ps = new ParameterStore(manager, false);
        JniUtils.setSeed(7);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private static double maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    private NDArray random(long... shape) {
        return manager.randomNormal(new Shape(shape));
    }

    @Test
    void transposedConvIsTheGradientOfStridedConv() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 4; trial++) {
            long batch = 1 + rnd.nextInt(3);
            long in = 1 + rnd.nextInt(6);
            long out = 1 + rnd.nextInt(6);
            long h = 1 + rnd.nextInt(6);
            long w = 1 + rnd.nextInt(6);
            TransposedConv2d up = new TransposedConv2d(in, out);
            up.initialize(manager, DataType.FLOAT32);
            Parameter weight = up.getDirectParameters().get("weight");
            Parameter bias = up.getDirectParameters().get("bias");
            weight.getArray().set(random(in, out, 4, 4).toFloatArray());
            bias.getArray().set(random(out).toFloatArray());
            NDArray g = random(batch, in, h, w);

            // vjp of conv2d(z, W, stride 2, padding 1) with respect to z [batch, out, 2h, 2w], at
            // g.
            NDArray z = manager.zeros(new Shape(batch, out, 2 * h, 2 * w));
            z.setRequiresGradient(true);
            NDArray convWeight = weight.getArray().duplicate();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y =
                        z.getNDArrayInternal()
                                .convolution(
                                        z,
                                        convWeight,
                                        null,
                                        new Shape(2, 2),
                                        new Shape(1, 1),
                                        new Shape(1, 1),
                                        1)
                                .head();
                collector.backward(y.mul(g).sum());
            }
            NDArray expected = z.getGradient().add(bias.getArray().reshape(1, out, 1, 1));
            NDArray actual = up.forward(ps, new NDList(g), false).head();
            assertEquals(expected.getShape(), actual.getShape());
            double err = maxAbsDiff(actual, expected);
            assertTrue(err < 1e-5, "trial " + trial + ": max abs difference " + err);
        }
    }

    @Test
    void spaceToDepthPlacesPixelsAtChannel4cPlus2dyPlusDx() {
        long c = 3;
        Downsample down = new Downsample(c);
        down.initialize(manager, DataType.FLOAT32);
        NDArray x = random(2, c, 6, 4);
        for (int ch = 0; ch < c; ch++) {
            for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                    // a 1x1 weight that copies space-to-depth channel 4ch+2dy+dx into every output
                    // channel
                    float[] w = new float[(int) (c * 4 * c)];
                    for (int o = 0; o < c; o++) {
                        w[(int) (o * 4 * c) + 4 * ch + 2 * dy + dx] = 1;
                    }
                    down.getDirectParameters().get("weight").getArray().set(w);
                    down.getDirectParameters().get("bias").getArray().set(new float[(int) c]);
                    NDArray y = down.forward(ps, new NDList(x), false).head();
                    NDArray pixels = x.get(":, " + ch + ", " + dy + "::2, " + dx + "::2");
                    for (int o = 0; o < c; o++) {
                        assertEquals(0.0, maxAbsDiff(y.get(":, " + o), pixels), 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void groupNormMatchesDirectMeanAndVariance() {
        int groups = 4;
        long channels = 8;
        GroupNorm norm = new GroupNorm(groups, channels);
        norm.initialize(manager, DataType.FLOAT32);
        NDArray gamma = random(channels);
        NDArray beta = random(channels);
        norm.getDirectParameters().get("weight").getArray().set(gamma.toFloatArray());
        norm.getDirectParameters().get("bias").getArray().set(beta.toFloatArray());
        NDArray x = random(3, channels, 5, 7).mul(3).add(2);

        NDArray grouped = x.reshape(3, groups, -1);
        NDArray mean = grouped.mean(new int[] {2}, true);
        NDArray var = grouped.sub(mean).square().mean(new int[] {2}, true);
        NDArray expected =
                grouped.sub(mean)
                        .div(var.add(1e-5).sqrt())
                        .reshape(x.getShape())
                        .mul(gamma.reshape(1, channels, 1, 1))
                        .add(beta.reshape(1, channels, 1, 1));
        assertTrue(maxAbsDiff(norm.forward(ps, new NDList(x), false).head(), expected) < 1e-5);
    }

    @Test
    void weightStandardizationGivesMeanZeroVarianceOnePerOutputChannel() {
        WeightStandardizedConv2d conv = new WeightStandardizedConv2d(5, 6);
        conv.initialize(manager, DataType.FLOAT32);
        conv.getDirectParameters()
                .get("weight")
                .getArray()
                .set(random(6, 5, 3, 3).mul(4).add(1).toFloatArray());
        NDArray kernel = conv.kernel(ps, manager, false).get(0).reshape(6, 45);
        NDArray mean = kernel.mean(new int[] {1});
        NDArray var = kernel.sub(kernel.mean(new int[] {1}, true)).square().mean(new int[] {1});
        assertTrue(mean.abs().max().getFloat() < 1e-5, "means " + mean);
        // var / (var + eps) of the raw weights, whose variance is about 16
        assertTrue(var.sub(1).abs().max().getFloat() < 1e-5, "variances " + var);
    }

    @Test
    void gradientsReachTheRawConvWeight() {
        WeightStandardizedConv2d conv = new WeightStandardizedConv2d(2, 3);
        conv.initialize(manager, DataType.FLOAT32);
        NDArray weight = conv.getDirectParameters().get("weight").getArray();
        NDArray x = random(2, 2, 5, 5);
        NDArray target = random(2, 3, 5, 5);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray y =
                    conv.forward(new ParameterStore(manager, false), new NDList(x), true).head();
            collector.backward(y.mul(target).sum());
        }
        NDArray grad = weight.getGradient();
        assertEquals(weight.getShape(), grad.getShape());
        assertTrue(grad.abs().sum().getFloat() > 0, "no gradient reached the raw weight");
        // Standardization removes the filter mean, so the gradient sums to zero per output channel.
        assertTrue(grad.reshape(3, 18).sum(new int[] {1}).abs().max().getFloat() < 1e-3);
    }
}
