package dev.ddpm.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A ddpm checkpoint: one safetensors file, so that any safetensors reader (Python included) can open
 * it. Tensors are grouped by prefix, each group under the reference model's parameter names:
 * <ul>
 *   <li>{@code model.*}: the trained weights;
 *   <li>{@code ema.*}: their exponential moving average (absent when EMA is off);
 *   <li>{@code optim.<state>.*}: optimizer state, e.g. {@code optim.m.*} and {@code optim.v.*} for Adam.
 * </ul>
 * The {@code __metadata__} holds {@code format} ({@value #FORMAT}), {@code format_version},
 * {@code config} (the run's configuration as JSON) and {@code state} ({@link TrainingState} as JSON,
 * absent for imported weights). Writes are atomic.
 */
public record Checkpoint(
        DdpmConfig config,
        Map<String, NDArray> model,
        Map<String, NDArray> ema,
        Map<String, NDArray> optimizer,
        TrainingState state) {

    public static final String FORMAT = "ddpm-checkpoint";
    public static final int FORMAT_VERSION = 1;

    private static final String MODEL = "model.";
    private static final String EMA = "ema.";
    private static final String OPTIM = "optim.";

    /** The weights to sample with: EMA when present and wanted, else the trained ones. */
    public Map<String, NDArray> samplingWeights(boolean preferEma) {
        return preferEma && !ema.isEmpty() ? ema : model;
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
        Safetensors.write(file, tensors, meta);
    }

    /** What a checkpoint says about itself, read from its header alone: configuration, state, tensor shapes. */
    public record Header(DdpmConfig config, TrainingState state, Map<String, Shape> model, Map<String, Shape> ema) {}

    /** Reads and checks the header of a checkpoint written by {@link #write}; a file of another kind is a clear error. */
    public static Header readHeader(Path file) throws IOException {
        Safetensors.Header header = Safetensors.readHeader(file);
        Map<String, String> meta = header.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new SafetensorsException(file + " is not a ddpm checkpoint (no '" + FORMAT
                    + "' metadata); to use weights saved by the reference, run 'ddpm import --from " + file + "'");
        }
        if (!Integer.toString(FORMAT_VERSION).equals(meta.get("format_version"))) {
            throw new SafetensorsException(file + " has checkpoint format version " + meta.get("format_version")
                    + "; this ddpm reads version " + FORMAT_VERSION);
        }
        DdpmConfig config;
        TrainingState state = null;
        try {
            config = ConfigLoader.fromJson(meta.getOrDefault("config", "{}"));
            if (meta.containsKey("state")) {
                state = ConfigLoader.MAPPER.readValue(meta.get("state"), TrainingState.class);
            }
        } catch (UserException | JsonProcessingException e) {
            throw new SafetensorsException(file + " has an unreadable configuration or state: " + e.getMessage());
        }
        Map<String, Shape> model = new LinkedHashMap<>();
        Map<String, Shape> ema = new LinkedHashMap<>();
        header.entries().forEach((name, e) -> {
            if (name.startsWith(MODEL)) {
                model.put(name.substring(MODEL.length()), e.shape());
            } else if (name.startsWith(EMA)) {
                ema.put(name.substring(EMA.length()), e.shape());
            }
        });
        if (model.isEmpty()) {
            throw new SafetensorsException(file + " holds no model weights");
        }
        return new Header(config, state, model, ema);
    }

    /** Reads a checkpoint written by {@link #write}; a file of another kind is a clear error. */
    public static Checkpoint read(Path file, NDManager manager) throws IOException {
        Header header = readHeader(file);
        Map<String, NDArray> model = new LinkedHashMap<>();
        Map<String, NDArray> ema = new LinkedHashMap<>();
        Map<String, NDArray> optim = new LinkedHashMap<>();
        Safetensors.read(file, manager).tensors().forEach((name, array) -> {
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
        return new Checkpoint(header.config(), model, ema, optim, header.state());
    }
}
