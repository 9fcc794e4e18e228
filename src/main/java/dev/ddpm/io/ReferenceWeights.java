package dev.ddpm.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weights in the reference's own format: a safetensors file of its {@code state_dict} (names
 * without prefix, or all prefixed {@code model.}), with the model's shape in {@code __metadata__}
 * under the reference's keys ({@code time_emb_dim}, {@code resnet_depth}, {@code in_channels},
 * {@code num_classes}; ddpm adds {@code base_channels}, {@code image_size}, {@code
 * attention_levels}, {@code groups}). PyTorch loads such a file with {@code
 * model.load_state_dict(safetensors.torch.load_file(f))}.
 */
public final class ReferenceWeights {

    private static final String PREFIX = "model.";

    /** Reference metadata key to ddpm configuration key. */
    private static final Map<String, String> CONFIG_KEYS =
            Map.of(
                    "time_emb_dim", "model.time_emb_dim",
                    "resnet_depth", "model.depth",
                    "in_channels", "model.in_channels",
                    "num_classes", "model.num_classes",
                    "base_channels", "model.base_channels",
                    "image_size", "model.image_size",
                    "attention_levels", "model.attention_levels",
                    "groups", "model.groups");

    private ReferenceWeights() {}

    /**
     * The model's tensors among {@code tensors}: those named {@code model.*} (prefix removed) when
     * there are any, such as in the reference's parity fixture, else all of them.
     */
    public static <T> Map<String, T> modelTensors(Map<String, T> tensors) {
        if (!prefixed(tensors.keySet())) {
            return tensors;
        }
        Map<String, T> model = new LinkedHashMap<>();
        tensors.forEach(
                (name, t) -> {
                    if (name.startsWith(PREFIX)) {
                        model.put(name.substring(PREFIX.length()), t);
                    }
                });
        return model;
    }

    /**
     * Reads the model's tensors of a weights file (see {@link #modelTensors}) into {@code manager},
     * refusing the file when one holds NaN or infinity: such weights only sample black images.
     */
    public static Map<String, NDArray> readModel(Path file, NDManager manager) throws IOException {
        boolean prefixed = prefixed(Safetensors.readHeader(file).entries().keySet());
        Safetensors.FiniteCheck finite =
                new Safetensors.FiniteCheck(
                        name -> !prefixed || name.startsWith(PREFIX),
                        "export the weights again from a model that did not diverge");
        return modelTensors(Safetensors.read(file, manager, finite).tensors());
    }

    private static boolean prefixed(Collection<String> names) {
        return names.stream().anyMatch(n -> n.startsWith(PREFIX));
    }

    /** Names and shapes of a file's model tensors, from its header. */
    public static Map<String, Shape> modelShapes(Safetensors.Header header) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        header.entries().forEach((name, e) -> shapes.put(name, e.shape()));
        return modelTensors(shapes);
    }

    /**
     * Configuration overrides ({@code model.*}) from the metadata keys present in {@code metadata}.
     * A depth without attention levels (the reference writes none) implies the reference's: the
     * even levels.
     */
    public static Map<String, String> configOverrides(Map<String, String> metadata) {
        Map<String, String> overrides = new LinkedHashMap<>();
        CONFIG_KEYS.forEach(
                (meta, key) -> {
                    if (metadata.containsKey(meta)) {
                        overrides.put(key, metadata.get(meta).trim());
                    }
                });
        String depth = metadata.get("resnet_depth");
        if (depth != null
                && depth.trim().matches("\\d{1,2}")
                && !metadata.containsKey("attention_levels")) {
            StringBuilder even = new StringBuilder("[");
            for (int level = 0; level < Integer.parseInt(depth.trim()); level += 2) {
                even.append(level == 0 ? "" : ",").append(level);
            }
            overrides.put("model.attention_levels", even.append(']').toString());
        }
        return overrides;
    }

    /**
     * The reference's metadata for a model of {@code config} with {@code parameters} parameters.
     */
    public static Map<String, String> metadata(ModelConfig config, long parameters) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("time_emb_dim", Integer.toString(config.timeEmbDim()));
        meta.put("resnet_depth", Integer.toString(config.depth()));
        meta.put("in_channels", Integer.toString(config.inChannels()));
        meta.put("num_classes", Integer.toString(config.numClasses()));
        meta.put("base_channels", Integer.toString(config.baseChannels()));
        meta.put("image_size", Integer.toString(config.imageSize()));
        meta.put("attention_levels", config.attentionLevels().toString());
        meta.put("groups", Integer.toString(config.groups()));
        meta.put("params", Long.toString(parameters));
        return meta;
    }

    /**
     * Writes {@code weights} under the reference's names, without prefix, all as float32 as the
     * reference's are.
     */
    public static void write(
            Path file, Map<String, NDArray> weights, ModelConfig config, long parameters)
            throws IOException {
        Map<String, NDArray> float32 = new LinkedHashMap<>();
        try {
            weights.forEach((name, w) -> float32.put(name, w.toType(DataType.FLOAT32, false)));
            Safetensors.write(file, float32, metadata(config, parameters));
        } finally {
            float32.forEach(
                    (name, w) -> {
                        if (w != weights.get(name)) {
                            w.close();
                        }
                    });
        }
    }
}
