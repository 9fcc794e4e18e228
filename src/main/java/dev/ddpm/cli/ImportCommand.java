package dev.ddpm.cli;

import dev.ddpm.app.WeightImport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
            "      --set model.depth=2 --set model.time_emb_dim=16",
            "      --set model.attention_levels=[0]",
            "      a smaller reference model whose file names no sizes: give them",
            "",
            "Names or shapes that do not fit the model are listed and nothing is",
            "written (exit 2)."
        })
public final class ImportCommand implements Callable<Integer> {

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
                        : WeightImport.runCheckpoint(
                                common.workspace(),
                                destination.run != null
                                        ? destination.run
                                        : WeightImport.DEFAULT_RUN);
        WeightImport.run(
                from, target, configOptions.file(), configOptions.set, force, common::device);
        spec.commandLine().getOut().println(target);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
