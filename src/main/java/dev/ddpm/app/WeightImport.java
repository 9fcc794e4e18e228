package dev.ddpm.app;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.ReferenceWeights;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.Safetensors;
import dev.ddpm.io.StateDictLayout;
import dev.ddpm.model.UNet;
import dev.ddpm.model.WeightMismatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weights saved by the reference (PyTorch, a safetensors {@code state_dict}) turned into a ddpm
 * checkpoint: the model's shape is read off the tensors' names and shapes and the file's metadata,
 * over a configuration; the weights become the checkpoint's {@code model} weights, with no EMA and
 * no training state. Nothing is written when they do not fit.
 */
public final class WeightImport {

    private static final Logger LOG = LoggerFactory.getLogger(WeightImport.class);

    /** The run an import goes to when the caller names none. */
    public static final String DEFAULT_RUN = "imported";

    private WeightImport() {}

    /** The checkpoint file of an import into run {@code run} of {@code workspace}. */
    public static Path runCheckpoint(Workspace workspace, String run) {
        return RunDirectory.named(workspace.checkpoints(), run).checkpoint(0);
    }

    /**
     * Imports {@code from} into {@code target}.
     *
     * @param configFile the configuration the shape is read over; null for the defaults
     * @param set {@code key=value} overrides over everything the file says; {@code model.depth}
     *     alone implies the reference's attention levels for that depth
     * @param force replace an existing {@code target}
     * @param device the device, asked for once the weights are known to fit (it loads the engine)
     * @return the number of parameters imported
     * @throws UserException when the target exists (without {@code force}), the file is missing, or
     *     its weights fit no valid model, listing what does not fit and the keys to check
     */
    public static long run(
            Path from,
            Path target,
            Path configFile,
            Map<String, String> set,
            boolean force,
            Supplier<Device> device)
            throws IOException {
        AtomicFiles.requireWritable(target);
        if (Files.exists(target) && !force) {
            throw new UserException(
                    target
                            + " already exists; choose another --out/--run, or add --force to"
                            + " replace it");
        }
        if (!Files.isRegularFile(from)) {
            throw new UserException(
                    "--from "
                            + from
                            + (Files.exists(from)
                                    ? ": not a regular file (a folder, device or pipe)"
                                    : ": no such file"));
        }
        Safetensors.Header header = Safetensors.readHeader(from);
        Map<String, Shape> shapes = ReferenceWeights.modelShapes(header);
        DdpmConfig config = config(from, header.metadata(), shapes, configFile, set);
        UNet model = new UNet(config.model());
        List<WeightMismatch> problems = model.mismatches(shapes);
        if (!problems.isEmpty()) {
            throw new UserException(
                    from
                            + ": "
                            + WeightMismatch.describe(problems)
                            + "; the model was "
                            + modelSummary(config)
                            + ": check "
                            + String.join(", ", WeightMismatch.configKeys(problems))
                            + " (--set model.KEY=VALUE)");
        }
        try (NDManager manager = NDManager.newBaseManager(device.get())) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            Map<String, NDArray> read = ReferenceWeights.readModel(from, manager);
            // in the model's parameter order, as float32
            for (String name : model.namedParameters().keySet()) {
                weights.put(name, read.get(name).toType(DataType.FLOAT32, false));
            }
            new Checkpoint(config, weights, Map.of(), Map.of(), null).write(target);
        }
        LOG.info(
                "imported {} weights ({} parameters) from {}",
                model.namedParameters().size(),
                String.format("%,d", model.parameterCount()),
                from);
        return model.parameterCount();
    }

    /**
     * Defaults or {@code configFile}, then what the tensors' shapes say, then the file's metadata
     * (the reference writes some keys), then {@code set}.
     */
    private static DdpmConfig config(
            Path from,
            Map<String, String> metadata,
            Map<String, Shape> shapes,
            Path configFile,
            Map<String, String> set) {
        Map<String, String> overrides =
                new LinkedHashMap<>(StateDictLayout.configOverrides(shapes));
        Map<String, String> fromMetadata = ReferenceWeights.configOverrides(metadata);
        try {
            ConfigLoader.load(null, fromMetadata);
        } catch (UserException e) {
            throw new UserException(
                    from + " has metadata that is not a valid model shape: " + e.getMessage());
        }
        overrides.putAll(fromMetadata);
        String depth = set.get("model.depth");
        if (depth != null && !set.containsKey("model.attention_levels")) {
            overrides.putAll(ReferenceWeights.configOverrides(Map.of("resnet_depth", depth)));
        }
        overrides.putAll(set);
        try {
            return ConfigLoader.load(configFile, overrides);
        } catch (UserException e) {
            throw new UserException(
                    from
                            + " describes no valid model: "
                            + e.getMessage()
                            + " (read from its tensors"
                            + " and metadata: "
                            + overrides
                            + ")");
        }
    }

    private static String modelSummary(DdpmConfig config) {
        ModelConfig m = config.model();
        return "time_emb_dim "
                + m.timeEmbDim()
                + ", depth "
                + m.depth()
                + ", base_channels "
                + m.baseChannels()
                + ", attention_levels "
                + m.attentionLevels()
                + ", num_classes "
                + m.numClasses();
    }
}
