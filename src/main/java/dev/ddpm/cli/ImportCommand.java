package dev.ddpm.cli;

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
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ddpm import}: weights saved by the reference (PyTorch) to a ddpm checkpoint. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Turns a safetensors file of the reference model's state_dict (its own parameter names,"
                    + " optionally all prefixed 'model.') into a ddpm checkpoint; prints the"
                    + " checkpoint's path.",
            "The model's shape is read off the tensors' names and shapes and the file's metadata"
                + " (time_emb_dim, resnet_depth, in_channels, num_classes, ...) over --config, and"
                + " --set over all; --set model.depth=N alone implies the reference's attention on"
                + " the even levels. The checkpoint holds the weights as 'model' weights, no EMA"
                + " (sampling then uses them) and no training state."
        },
        footer = {
            "",
            "Save the weights from PyTorch first:",
            "  from safetensors.torch import save_file",
            "  save_file(model.state_dict(), 'weights.safetensors')",
            "",
            "Examples:",
            "  ddpm import --from weights.safetensors",
            "      writes checkpoints/imported/step-00000000.safetensors",
            "  ddpm import --from weights.safetensors --run reference",
            "      then: ddpm sample --checkpoint reference --digit 3",
            "  ddpm import --from tiny.safetensors --set model.base_channels=16",
            "      --set model.depth=2 --set model.time_emb_dim=16 --set"
                    + " model.attention_levels=[0]",
            "      a smaller reference model whose file names no sizes: give them",
            "",
            "Names or shapes that do not fit the model are listed and nothing is",
            "written (exit 2)."
        })
public final class ImportCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ImportCommand.class);

    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Mixin ConfigOptions configOptions;

    @Option(
            names = "--from",
            required = true,
            paramLabel = "FILE",
            description = "The reference's weights (.safetensors).")
    Path from;

    @ArgGroup(exclusive = true)
    Destination destination = new Destination();

    static final class Destination {
        @Option(names = "--out", paramLabel = "FILE", description = "Checkpoint file to write.")
        Path out;

        @Option(
                names = "--run",
                paramLabel = "NAME",
                description =
                        "Write checkpoints/NAME/step-00000000.safetensors (default run: imported).")
        String run;
    }

    @Option(names = "--force", description = "Replace an existing checkpoint file.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        Path target =
                destination.out != null
                        ? destination.out
                        : RunDirectory.named(
                                        Path.of("checkpoints"),
                                        destination.run != null ? destination.run : "imported")
                                .checkpoint(0);
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
        DdpmConfig config = config(header.metadata(), shapes);
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
        try (NDManager manager = NDManager.newBaseManager(common.device())) {
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
        spec.commandLine().getOut().println(target);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Defaults or --config, then what the tensors' shapes say, then the file's metadata (the
     * reference writes some keys), then --set.
     */
    private DdpmConfig config(Map<String, String> metadata, Map<String, Shape> shapes) {
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
        String depth = configOptions.set.get("model.depth");
        if (depth != null && !configOptions.set.containsKey("model.attention_levels")) {
            overrides.putAll(ReferenceWeights.configOverrides(Map.of("resnet_depth", depth)));
        }
        overrides.putAll(configOptions.set);
        try {
            return ConfigLoader.load(configOptions.file(), overrides);
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
