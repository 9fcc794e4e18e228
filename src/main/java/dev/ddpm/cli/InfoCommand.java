package dev.ddpm.cli;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ddpm.app.Workspace;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.model.UNet;
import dev.ddpm.model.WeightMismatch;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ddpm info}: the U-Net of a configuration or checkpoint, block by block. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Prints the U-Net's architecture: its top-level blocks in execution order, their output"
                    + " shapes and parameter counts, and the total. Reads only the checkpoint's"
                    + " header.",
            "Without options: the newest checkpoint's model (yours, else the shipped model's), or"
                    + " the reference's when there is none."
        },
        footer = {
            "",
            "Examples:",
            "  ddpm info                        the newest checkpoint's model",
            "  ddpm info --config config/default.json   the reference model (51,067,777"
                    + " parameters)",
            "  ddpm info --config config/quick.json",
            "  ddpm info --set model.depth=2 --set model.attention_levels=[0]",
            "  ddpm info --checkpoint latest    the newest checkpoint's model, checked"
        })
public final class InfoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Mixin ConfigOptions configOptions;

    @Option(
            names = "--checkpoint",
            paramLabel = "SPEC",
            description =
                    "Describe a checkpoint's model instead: latest, a run name, a run folder or a"
                        + " .safetensors file. Its weights are checked against the architecture.")
    String checkpoint;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        PrintWriter out = spec.commandLine().getOut();
        boolean configured = configOptions.file() != null || !configOptions.set.isEmpty();
        if (checkpoint != null && configured) {
            throw new UserException(
                    "--checkpoint describes the checkpoint's own configuration; drop"
                            + " --config/--set");
        }
        Workspace workspace = common.workspace();
        Path file =
                checkpoint != null
                        ? workspace.resolveCheckpoint(checkpoint)
                        : configured ? null : newestCheckpoint(workspace);
        ModelConfig config =
                file != null ? describeCheckpoint(file, out) : configOptions.load().model();
        UNet model = new UNet(config);
        out.printf(
                "U-Net: time_emb_dim %d, depth %d, base_channels %d, num_classes %d, in_channels"
                        + " %d, image %dx%d, attention at levels %s, %d groups%n",
                config.timeEmbDim(),
                config.depth(),
                config.baseChannels(),
                config.numClasses(),
                config.inChannels(),
                config.imageSize(),
                config.imageSize(),
                config.attentionLevels(),
                config.groups());
        out.printf(
                "%-14s %-15s %-40s %12s%n",
                "block", "type", "output shape (B = batch)", "parameters");
        for (UNet.BlockSummary row : model.summary(1)) {
            String shapes =
                    row.outputShapes().stream()
                            .map(InfoCommand::batchShape)
                            .collect(Collectors.joining(" + skip "));
            out.printf(
                    "%-14s %-15s %-40s %,12d%n", row.name(), row.type(), shapes, row.parameters());
        }
        out.printf("total parameters: %,d%n", model.parameterCount());
        out.flush();
        return 0;
    }

    /** The checkpoint {@code latest} names (the user's newest, else the shipped one), or null. */
    private static Path newestCheckpoint(Workspace workspace) {
        try {
            return workspace.resolveCheckpoint("latest");
        } catch (RunDirectory.NoCheckpointException none) {
            return null;
        }
    }

    /**
     * Prints what the checkpoint holds and checks its tensors' names and shapes against its model.
     */
    private static ModelConfig describeCheckpoint(Path file, PrintWriter out) throws IOException {
        Checkpoint.Header header = Checkpoint.readHeader(file);
        ModelConfig config = header.config().model();
        UNet model = new UNet(config);
        for (Map<String, Shape> weights : List.of(header.model(), header.ema())) {
            List<WeightMismatch> problems =
                    weights.isEmpty() ? List.of() : model.mismatches(weights);
            if (!problems.isEmpty()) {
                throw new UserException(
                        file
                                + " ("
                                + (weights == header.ema() ? "ema" : "model")
                                + "): "
                                + WeightMismatch.describe(problems));
            }
        }
        out.printf("checkpoint: %s%n", file);
        out.printf(
                "state: %s; EMA weights: %s%n",
                header.state() == null
                        ? "none (imported weights)"
                        : ConfigLoader.MAPPER
                                .writer()
                                .without(SerializationFeature.INDENT_OUTPUT)
                                .writeValueAsString(header.state()),
                header.ema().isEmpty() ? "no" : "yes");
        return config;
    }

    private static String batchShape(Shape shape) {
        List<String> dims = new java.util.ArrayList<>();
        dims.add("B");
        for (int i = 1; i < shape.dimension(); i++) {
            dims.add(Long.toString(shape.get(i)));
        }
        return "[" + String.join(", ", dims) + "]";
    }
}
