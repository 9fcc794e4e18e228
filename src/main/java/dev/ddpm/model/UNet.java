package dev.ddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.diffusion.NoiseModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The reference's conditional U-Net (docs/architecture.md): it predicts the noise in {@code x_t}
 * given the timestep and an optional class label.
 *
 * <p>Forward input {@code (x [B, C, H, W] float32, t [B] int64, labels [B] int64)}; the labels may
 * be omitted, and a negative label means "no label" (zero label embedding). Output {@code (eps)},
 * shaped like {@code x}. Parameters carry the reference's {@code state_dict} names ({@link
 * #namedParameters()}).
 */
public final class UNet extends ModelBlock {

    private final ModelConfig config;
    private final TimeEmbedding timeMlp;
    private final LabelEmbedding labelEmb;
    private final List<DownBlock> downsample = new ArrayList<>();
    private final Bottleneck bottleneck;
    private final List<UpBlock> upsample = new ArrayList<>();
    private final FinalBlock finalBlock;

    public UNet(ModelConfig config) {
        this.config = config;
        int e = config.timeEmbDim();
        int g = config.groups();
        int depth = config.depth();
        timeMlp = addChildBlock("time_mlp", new TimeEmbedding(e));
        labelEmb = addChildBlock("label_emb", new LabelEmbedding(config.numClasses(), e));
        for (int i = 0; i < depth; i++) {
            long in = i == 0 ? config.inChannels() : config.channels(i - 1);
            downsample.add(
                    addChildBlock(
                            "downsample." + i,
                            new DownBlock(in, config.channels(i), config.hasAttention(i), e, g)));
        }
        long deepest = config.channels(depth - 1);
        bottleneck = addChildBlock("bottleneck", new Bottleneck(deepest, e, g));
        long in = deepest;
        for (int u = 0; u < depth; u++) {
            int level = depth - 1 - u;
            long out = config.channels(level);
            upsample.add(
                    addChildBlock(
                            "upsample." + u,
                            new UpBlock(in, out, out, config.hasAttention(level), e, g)));
            in = out;
        }
        finalBlock =
                addChildBlock(
                        "final_block",
                        new FinalBlock(config.channels(0), config.inChannels(), e, g));
    }

    /**
     * A model built and initialized (PyTorch's default initialization, float32) on {@code
     * manager}'s device.
     */
    public static UNet create(ModelConfig config, NDManager manager) {
        UNet model = new UNet(config);
        model.initialize(manager, DataType.FLOAT32, model.inputShapes(1));
        return model;
    }

    public ModelConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray cond = timeMlp.forward(ps, new NDList(inputs.get(1)), training, params).head();
        if (inputs.size() > 2 && inputs.get(2) != null) {
            cond =
                    cond.add(
                            labelEmb.forward(ps, new NDList(inputs.get(2)), training, params)
                                    .head());
        }
        // Every ResnetBlock's mlp starts with SiLU of the same condition: computed once here.
        NDArray condition = silu(cond);
        List<NDArray> skips = new ArrayList<>();
        for (DownBlock down : downsample) {
            NDList out = down.forward(ps, new NDList(x, condition), training, params);
            x = out.get(0);
            skips.add(out.get(1));
        }
        x = bottleneck.forward(ps, new NDList(x, condition), training, params).head();
        for (UpBlock up : upsample) {
            x =
                    up.forward(
                                    ps,
                                    new NDList(x, skips.remove(skips.size() - 1), condition),
                                    training,
                                    params)
                            .head();
        }
        return finalBlock.forward(ps, new NDList(x, condition), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** The predicted noise with the live weights (training, or evaluation while they change). */
    public NoiseModel noiseModel(ParameterStore ps, boolean training) {
        return (xt, t, labels) -> forward(ps, inputs(xt, t, labels), training).head();
    }

    /**
     * The predicted noise for sampling with fixed weights: the standardized and rearranged
     * convolution kernels are computed once, on {@code manager}, and the model is valid while the
     * weights do not change. The kernels are freed with {@code manager}.
     */
    public NoiseModel frozenNoiseModel(NDManager manager) {
        FrozenKernels frozen = new FrozenKernels();
        ParameterStore ps = new ParameterStore(manager, false);
        collectKernels(this, ps, manager, frozen);
        PairList<String, Object> params = frozen.asParams();
        return (xt, t, labels) -> forward(ps, inputs(xt, t, labels), false, params).head();
    }

    private static void collectKernels(
            Block block, ParameterStore ps, NDManager manager, FrozenKernels frozen) {
        if (block instanceof DerivedKernel derived) {
            NDList live = derived.kernel(ps, manager, false);
            NDList fixed = new NDList();
            for (NDArray a : live) {
                NDArray detached = a.stopGradient();
                detached.attach(manager);
                fixed.add(detached);
            }
            frozen.put(block, fixed);
        }
        for (Block child : block.getChildren().values()) {
            collectKernels(child, ps, manager, frozen);
        }
    }

    private static NDList inputs(NDArray xt, NDArray t, NDArray labels) {
        return labels == null ? new NDList(xt, t) : new NDList(xt, t, labels);
    }

    /** Input shapes for a batch: image, timesteps, labels. */
    public Shape[] inputShapes(long batch) {
        return new Shape[] {
            new Shape(batch, config.inChannels(), config.imageSize(), config.imageSize()),
            new Shape(batch),
            new Shape(batch)
        };
    }

    /** The parameters under the reference's {@code state_dict} names, in module order. */
    public LinkedHashMap<String, Parameter> namedParameters() {
        LinkedHashMap<String, Parameter> named = new LinkedHashMap<>();
        collectParameters(this, "", named);
        return named;
    }

    private static void collectParameters(
            Block block, String prefix, Map<String, Parameter> named) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            named.put(prefix + p.getKey(), p.getValue());
        }
        for (Pair<String, Block> child : block.getChildren()) {
            // AbstractBlock numbers its children ("01time_mlp"); the reference name follows the
            // number.
            collectParameters(child.getValue(), prefix + child.getKey().substring(2) + ".", named);
        }
    }

    /** The live parameter arrays under the reference's names. */
    public Map<String, NDArray> weights() {
        Map<String, NDArray> weights = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> weights.put(name, p.getArray()));
        return weights;
    }

    /** Total number of parameters. */
    public long parameterCount() {
        return countParameters(this);
    }

    static long countParameters(Block block) {
        long n = 0;
        for (Parameter p : block.getParameters().values()) {
            n += p.getShape().size();
        }
        return n;
    }

    /**
     * Copies {@code weights} (reference names, any float type, any device) into the parameters.
     *
     * @throws IllegalArgumentException listing every missing, unexpected or wrong-shaped tensor;
     *     nothing is copied then
     */
    public void loadWeights(Map<String, NDArray> weights) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        List<WeightMismatch> problems = new ArrayList<>();
        weights.forEach(
                (name, w) -> {
                    shapes.put(name, w.getShape());
                    if (!w.getDataType().isFloating()) {
                        problems.add(WeightMismatch.notFloatingPoint(name, w.getDataType()));
                    }
                });
        problems.addAll(mismatches(shapes));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(WeightMismatch.describe(problems));
        }
        Map<String, Parameter> named = namedParameters();
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            NDArray target = e.getValue().getArray();
            NDArray source = weights.get(e.getKey());
            NativeArrays.copyInto(source, target);
        }
    }

    /**
     * What keeps tensors of these names and shapes from being this model's weights: each missing,
     * unexpected or wrong-shaped tensor, one entry each; empty when they fit.
     */
    public List<WeightMismatch> mismatches(Map<String, Shape> shapes) {
        Map<String, Parameter> named = namedParameters();
        List<WeightMismatch> problems = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            Shape shape = shapes.get(e.getKey());
            Shape expected = e.getValue().getShape();
            if (shape == null) {
                problems.add(WeightMismatch.missing(e.getKey(), expected));
            } else if (!shape.equals(expected)) {
                problems.add(WeightMismatch.wrongShape(e.getKey(), expected, shape));
            }
        }
        for (String name : new TreeSet<>(shapes.keySet())) {
            if (!named.containsKey(name)) {
                problems.add(WeightMismatch.unexpected(name, shapes.get(name)));
            }
        }
        return problems;
    }

    /**
     * One row of {@link #summary}: a top-level block, its output shapes and its parameter count.
     */
    public record BlockSummary(
            String name, String type, List<Shape> outputShapes, long parameters) {}

    /** The top-level blocks in execution order, with output shapes for a batch of {@code batch}. */
    public List<BlockSummary> summary(long batch) {
        Shape[] in = inputShapes(batch);
        List<BlockSummary> rows = new ArrayList<>();
        Shape cond = timeMlp.getOutputShapes(new Shape[] {in[1]})[0];
        rows.add(row("time_mlp", timeMlp, cond));
        rows.add(row("label_emb", labelEmb, labelEmb.getOutputShapes(new Shape[] {in[2]})));
        Shape x = in[0];
        List<Shape> skips = new ArrayList<>();
        for (int i = 0; i < downsample.size(); i++) {
            Shape[] out = downsample.get(i).getOutputShapes(new Shape[] {x, cond});
            rows.add(row("downsample." + i, downsample.get(i), out));
            x = out[0];
            skips.add(out[1]);
        }
        x = bottleneck.getOutputShapes(new Shape[] {x, cond})[0];
        rows.add(row("bottleneck", bottleneck, x));
        for (int u = 0; u < upsample.size(); u++) {
            x =
                    upsample.get(u)
                            .getOutputShapes(new Shape[] {x, skips.remove(skips.size() - 1), cond})[
                            0];
            rows.add(row("upsample." + u, upsample.get(u), x));
        }
        rows.add(row("final_block", finalBlock, finalBlock.getOutputShapes(new Shape[] {x, cond})));
        return rows;
    }

    private static BlockSummary row(String name, AbstractBlock block, Shape... shapes) {
        return new BlockSummary(
                name, block.getClass().getSimpleName(), List.of(shapes), countParameters(block));
    }
}
