package dev.ddpm.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ddpm.config.ConfigException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.ReferenceWeights;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.Safetensors;
import dev.ddpm.io.SafetensorsException;
import dev.ddpm.model.UNet;
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
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Turns a safetensors file of the reference model's state_dict (its own parameter names,"
            + " optionally all prefixed 'model.') into a ddpm checkpoint; prints the checkpoint's path.",
            "The model's shape comes from the file's metadata (time_emb_dim, resnet_depth, in_channels,"
            + " num_classes, ...) over --config, and --set over both. The checkpoint holds the weights as"
            + " 'model' weights, no EMA (sampling then uses them) and no training state."},
        footer = {"", "Save the weights from PyTorch first:",
            "  from safetensors.torch import save_file",
            "  save_file(model.state_dict(), 'weights.safetensors')",
            "", "Examples:",
            "  ddpm import --from weights.safetensors",
            "      writes checkpoints/imported/step-00000000.safetensors",
            "  ddpm import --from weights.safetensors --run reference",
            "      then: ddpm sample --checkpoint reference --digit 3",
            "  ddpm import --from small.safetensors --set model.depth=2",
            "      --set model.time_emb_dim=32 --set model.attention_levels=[0]",
            "", "Names or shapes that do not fit the model are listed and nothing is",
            "written (exit 2)."})
public final class ImportCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ImportCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--from", required = true, paramLabel = "FILE", description = "The reference's weights (.safetensors).")
    Path from;

    @ArgGroup(exclusive = true)
    Destination destination = new Destination();

    static final class Destination {
        @Option(names = "--out", paramLabel = "FILE", description = "Checkpoint file to write.")
        Path out;

        @Option(names = "--run", paramLabel = "NAME",
                description = "Write checkpoints/NAME/step-00000000.safetensors (default run: imported).")
        String run;
    }

    @Option(names = "--force", description = "Replace an existing checkpoint file.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        Path target = destination.out != null ? destination.out
                : new RunDirectory(Path.of("checkpoints", destination.run != null ? destination.run : "imported")).checkpoint(0);
        if (Files.exists(target) && !force) {
            throw new UsageException(target + " already exists; choose another --out/--run, or add --force to replace it");
        }
        if (!Files.isRegularFile(from)) {
            throw new UsageException("--from " + from + ": no such file");
        }
        try {
            Safetensors.Header header = Safetensors.readHeader(from);
            DdpmConfig config = config(header.metadata());
            UNet model = new UNet(config.model());
            List<String> problems = model.mismatches(ReferenceWeights.modelShapes(header));
            if (!problems.isEmpty()) {
                throw new UsageException(from + ": " + UNet.describe(problems));
            }
            try (NDManager manager = NDManager.newBaseManager(common.device())) {
                Map<String, NDArray> weights = new LinkedHashMap<>();
                Map<String, NDArray> read = ReferenceWeights.modelTensors(Safetensors.read(from, manager).tensors());
                // in the model's parameter order, as float32
                for (String name : model.namedParameters().keySet()) {
                    weights.put(name, read.get(name).toType(DataType.FLOAT32, false));
                }
                new Checkpoint(config, weights, Map.of(), Map.of(), null).write(target);
            }
            LOG.info("imported {} weights ({} parameters) from {}", model.namedParameters().size(),
                    String.format("%,d", model.parameterCount()), from);
        } catch (SafetensorsException e) {
            throw new UsageException(e.getMessage());
        }
        spec.commandLine().getOut().println(target);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Defaults or --config, then the file's metadata, then --set. */
    private DdpmConfig config(Map<String, String> metadata) {
        Map<String, String> fromMetadata = ReferenceWeights.configOverrides(metadata);
        try {
            ConfigLoader.load(null, fromMetadata);
        } catch (ConfigException e) {
            throw new UsageException(from + " has metadata that is not a valid model shape: " + e.getMessage());
        }
        Map<String, String> overrides = new LinkedHashMap<>(fromMetadata);
        overrides.putAll(configOptions.set);
        return ConfigLoader.load(configOptions.file(), overrides);
    }
}
