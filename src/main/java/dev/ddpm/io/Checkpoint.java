package dev.ddpm.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A ddpm checkpoint: one safetensors file, so that any safetensors reader (Python included) can
 * open it. Tensors are grouped by prefix, each group under the reference model's parameter names:
 *
 * <ul>
 *   <li>{@code model.*}: the trained weights;
 *   <li>{@code ema.*}: their exponential moving average (absent when EMA is off);
 *   <li>{@code optim.<state>.*}: optimizer state, e.g. {@code optim.m.*} and {@code optim.v.*} for
 *       Adam.
 * </ul>
 *
 * The {@code __metadata__} holds {@code format} ({@value #FORMAT}), {@code format_version}, {@code
 * config} (the run's configuration as JSON), {@code state} ({@link TrainingState} as JSON, absent
 * for imported weights) and {@code classes} (the class names as a JSON list, absent when they are
 * the numbers {@code 0 .. num_classes-1}, as for MNIST's digits). Writes are atomic.
 *
 * @param classes the class names in label order, {@code num_classes} of them
 */
public record Checkpoint(
        DdpmConfig config,
        Map<String, NDArray> model,
        Map<String, NDArray> ema,
        Map<String, NDArray> optimizer,
        TrainingState state,
        List<String> classes) {

    /** A checkpoint whose classes are numbered {@code 0 .. num_classes-1} (MNIST's digits). */
    public Checkpoint(
            DdpmConfig config,
            Map<String, NDArray> model,
            Map<String, NDArray> ema,
            Map<String, NDArray> optimizer,
            TrainingState state) {
        this(
                config,
                model,
                ema,
                optimizer,
                state,
                ClassNames.numbered(config.model().numClasses()));
    }

    public static final String FORMAT = "ddpm-checkpoint";
    public static final int FORMAT_VERSION = 1;

    private static final String MODEL = "model.";
    private static final String EMA = "ema.";
    private static final String OPTIM = "optim.";
    private static final String CLASSES = "classes";

    /** What to do with a checkpoint that no healthy run writes. */
    static final String USE_AN_EARLIER_CHECKPOINT = "use an earlier checkpoint of the run";

    /** The keys of a saved training state, as Jackson writes them. */
    private static final List<String> STATE_KEYS = stateKeys();

    /** The weights to sample with: EMA when present and wanted, else the trained ones. */
    public Map<String, NDArray> samplingWeights(boolean preferEma) {
        return preferEma && !ema.isEmpty() || model.isEmpty() ? ema : model;
    }

    public void write(Path file) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        model.forEach((k, v) -> tensors.put(MODEL + k, v));
        ema.forEach((k, v) -> tensors.put(EMA + k, v));
        optimizer.forEach((k, v) -> tensors.put(OPTIM + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("format_version", Integer.toString(FORMAT_VERSION));
        meta.put("config", ConfigLoader.toJson(config));
        if (state != null) {
            meta.put("state", ConfigLoader.MAPPER.writeValueAsString(state));
        }
        if (!classes.equals(ClassNames.numbered(config.model().numClasses()))) {
            meta.put(
                    CLASSES,
                    ConfigLoader.MAPPER
                            .writer()
                            .without(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(classes));
        }
        Safetensors.write(file, tensors, meta);
    }

    /**
     * What a checkpoint holds, from its header alone.
     *
     * @param state null for imported weights
     * @param model the shapes of the {@code model.*} tensors, by name without the prefix; likewise
     *     {@code ema} and {@code optimizer}
     * @param classes the class names in label order
     */
    public record Header(
            DdpmConfig config,
            TrainingState state,
            Map<String, Shape> model,
            Map<String, Shape> ema,
            Map<String, Shape> optimizer,
            List<String> classes) {

        /** Refuses, naming {@code file}, a checkpoint that training cannot continue from. */
        public void requireResumable(Path file) {
            if (state == null) {
                throw new SafetensorsException(
                        file
                                + " holds no training state (imported weights?), so it"
                                + " cannot be resumed; start a new run instead");
            }
            if (model.isEmpty() || optimizer.isEmpty()) {
                throw new SafetensorsException(
                        file
                                + " holds only sampling weights (no trained weights or"
                                + " optimizer state): it can be sampled from but not resumed");
            }
        }
    }

    /**
     * Reads and checks a checkpoint's header without loading a tensor: format, format version,
     * configuration, training state and the presence of model weights. {@link #read} goes through
     * it too, so a command that only inspects a checkpoint refuses what one that loads it refuses.
     */
    public static Header readHeader(Path file) throws IOException {
        Safetensors.Header header = Safetensors.readHeader(file);
        Map<String, String> meta = header.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new SafetensorsException(
                    file
                            + " is not a ddpm checkpoint (no '"
                            + FORMAT
                            + "' metadata); to use weights saved by the reference, run 'ddpm import"
                            + " --from "
                            + file
                            + "'");
        }
        String version = meta.get("format_version");
        if (!Integer.toString(FORMAT_VERSION).equals(version)) {
            throw new SafetensorsException(
                    file
                            + " has checkpoint format version "
                            + (version == null ? "(none)" : Safetensors.shown(version))
                            + "; this ddpm reads only version "
                            + FORMAT_VERSION
                            + ": use the ddpm that wrote it");
        }
        if (!meta.containsKey("config")) {
            throw new SafetensorsException(
                    file + " has no 'config' metadata; " + USE_AN_EARLIER_CHECKPOINT);
        }
        DdpmConfig config;
        try {
            config = ConfigLoader.fromJson(meta.get("config"));
        } catch (UserException e) {
            throw new SafetensorsException(
                    file + " has an unusable configuration: " + e.getMessage());
        }
        TrainingState state =
                meta.containsKey("state") ? parseState(file, meta.get("state"), config) : null;
        Map<String, Shape> model = group(header, MODEL);
        Map<String, Shape> ema = group(header, EMA);
        // A sampling checkpoint (the shipped model) holds only the EMA weights.
        if (model.isEmpty() && ema.isEmpty()) {
            throw new SafetensorsException(file + " holds no model weights");
        }
        List<String> classes =
                meta.containsKey(CLASSES)
                        ? ClassNames.parse(file, meta.get(CLASSES), config.model().numClasses())
                        : ClassNames.numbered(config.model().numClasses());
        return new Header(config, state, model, ema, group(header, OPTIM), classes);
    }

    /**
     * Reads a checkpoint written by {@link #write}; a file of another kind, or one whose weights or
     * optimizer moments hold NaN or infinity, is a clear error.
     */
    public static Checkpoint read(Path file, NDManager manager) throws IOException {
        Header header = readHeader(file);
        Map<String, NDArray> model = new LinkedHashMap<>();
        Map<String, NDArray> ema = new LinkedHashMap<>();
        Map<String, NDArray> optim = new LinkedHashMap<>();
        Safetensors.FiniteCheck finite =
                new Safetensors.FiniteCheck(
                        name ->
                                name.startsWith(MODEL)
                                        || name.startsWith(EMA)
                                        || name.startsWith(OPTIM),
                        USE_AN_EARLIER_CHECKPOINT);
        Safetensors.read(file, manager, finite)
                .tensors()
                .forEach(
                        (name, array) -> {
                            if (name.startsWith(MODEL)) {
                                model.put(name.substring(MODEL.length()), array);
                            } else if (name.startsWith(EMA)) {
                                ema.put(name.substring(EMA.length()), array);
                            } else if (name.startsWith(OPTIM)) {
                                optim.put(name.substring(OPTIM.length()), array);
                            } else {
                                array.close();
                            }
                        });
        return new Checkpoint(header.config(), model, ema, optim, header.state(), header.classes());
    }

    /** The training state, parsed as strictly as the configuration and checked against it. */
    private static TrainingState parseState(Path file, String json, DdpmConfig config)
            throws SafetensorsException {
        JsonNode tree;
        try {
            // as strict as the configuration: no duplicate keys, no trailing text
            tree = ConfigLoader.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(
                    file
                            + " has a training state that is not valid JSON: "
                            + e.getOriginalMessage()
                            + "; "
                            + USE_AN_EARLIER_CHECKPOINT);
        }
        List<String> problems = new ArrayList<>();
        if (tree == null || !tree.isObject()) {
            problems.add("not a JSON object");
        } else {
            STATE_KEYS.stream().filter(k -> !tree.has(k)).forEach(k -> problems.add("no " + k));
            tree.fieldNames()
                    .forEachRemaining(
                            k -> {
                                if (!STATE_KEYS.contains(k)) {
                                    problems.add("unknown key " + Safetensors.quote(k));
                                } else if (!tree.get(k).isIntegralNumber()) {
                                    problems.add(
                                            k
                                                    + " "
                                                    + Safetensors.shown(tree.get(k).toString())
                                                    + " is not an integer");
                                }
                            });
        }
        TrainingState state = null;
        if (problems.isEmpty()) {
            try {
                state = ConfigLoader.MAPPER.treeToValue(tree, TrainingState.class);
                problems.addAll(state.problems(config.train().seed()));
            } catch (JsonProcessingException e) {
                problems.add(e.getOriginalMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new SafetensorsException(
                    file
                            + " has an invalid training state ("
                            + String.join(", ", problems)
                            + "); "
                            + USE_AN_EARLIER_CHECKPOINT);
        }
        return state;
    }

    private static List<String> stateKeys() {
        List<String> keys = new ArrayList<>();
        ConfigLoader.MAPPER
                .valueToTree(TrainingState.start(0))
                .fieldNames()
                .forEachRemaining(keys::add);
        return keys;
    }

    private static Map<String, Shape> group(Safetensors.Header header, String prefix) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        header.entries()
                .forEach(
                        (name, e) -> {
                            if (name.startsWith(prefix)) {
                                shapes.put(name.substring(prefix.length()), e.shape());
                            }
                        });
        return shapes;
    }
}
