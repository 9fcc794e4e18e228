package dev.ddpm.cli;

import dev.ddpm.app.WeightExport;
import dev.ddpm.config.ConfigChoice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ddpm export}: a checkpoint's weights under the reference's names, for PyTorch. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Writes a checkpoint's model weights as a safetensors file of the reference's"
                + " state_dict (its parameter names, no prefix, float32), with the model's shape in"
                + " the metadata; prints its path.",
            "With --format ddpm it writes a sampling checkpoint instead: a ddpm checkpoint that"
                + " holds only the chosen weights (no optimizer state), with the run's"
                + " configuration and training state in its metadata; sample, gif, eval and info"
                + " read it, train --resume does not."
        },
        footer = {
            "",
            "Load it in PyTorch:",
            "  model.load_state_dict(safetensors.torch.load_file('weights.safetensors'))",
            "",
            "Examples:",
            "  ddpm export --to weights.safetensors",
            "      the trained weights of the latest checkpoint (the EMA weights of one",
            "      that holds only those, such as the shipped model)",
            "  ddpm export --checkpoint clipped --ema --to ema.safetensors",
            "      the EMA weights of run 'clipped'",
            "  ddpm export --checkpoint clipped --ema --format ddpm --to small.safetensors",
            "      a sampling checkpoint of run 'clipped' (a quarter of its size)"
        })
public final class ExportCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Option(
            names = "--checkpoint",
            paramLabel = "SPEC",
            defaultValue = "latest",
            description = "latest (default), a run name, a run folder or a .safetensors file.")
    String checkpoint;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "FILE",
            description = "The file to write (.safetensors).")
    Path to;

    @Option(names = "--ema", description = "Export the EMA weights instead of the trained ones.")
    boolean ema;

    @Option(names = "--force", description = "Replace an existing file.")
    boolean force;

    @Option(
            names = "--format",
            paramLabel = "NAME",
            defaultValue = "reference",
            converter = FormatConverter.class,
            description =
                    "reference (default: a state_dict for PyTorch) or ddpm (a sampling"
                            + " checkpoint).")
    WeightExport.Format format;

    static final class FormatConverter implements CommandLine.ITypeConverter<WeightExport.Format> {
        @Override
        public WeightExport.Format convert(String value) {
            WeightExport.Format f = ConfigChoice.parse(WeightExport.Format.class, value);
            if (f == null) {
                throw new CommandLine.TypeConversionException(
                        "--format must be reference or ddpm, got '" + value + "'");
            }
            return f;
        }
    }

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        WeightExport.requireNew(to, force);
        Path file = common.workspace().resolveCheckpoint(checkpoint);
        WeightExport.run(file, to, ema, format, force, common.device());
        spec.commandLine().getOut().println(to);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
