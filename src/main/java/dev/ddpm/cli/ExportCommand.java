package dev.ddpm.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigChoice;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.ReferenceWeights;
import dev.ddpm.io.RunDirectory;
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
            "      the trained weights of the latest checkpoint",
            "  ddpm export --checkpoint quick --ema --to ema.safetensors",
            "      the EMA weights of run 'quick'",
            "  ddpm export --checkpoint quick --ema --format ddpm --to small.safetensors",
            "      a sampling checkpoint of run 'quick' (a quarter of its size)"
        })
public final class ExportCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ExportCommand.class);

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

    /** What {@code --format} writes. */
    enum Format implements ConfigChoice {
        /** The reference's state_dict, for PyTorch. */
        REFERENCE,
        /** A ddpm sampling checkpoint. */
        DDPM
    }

    @Option(
            names = "--format",
            paramLabel = "NAME",
            defaultValue = "reference",
            converter = FormatConverter.class,
            description =
                    "reference (default: a state_dict for PyTorch) or ddpm (a sampling"
                            + " checkpoint).")
    Format format;

    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            Format f = ConfigChoice.parse(Format.class, value);
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
        AtomicFiles.requireWritable(to);
        if (Files.exists(to) && !force) {
            throw new UserException(
                    to + " already exists; choose another --to, or add --force to replace it");
        }
        Path file = RunDirectory.resolveCheckpoint(checkpoint, Path.of("checkpoints"));
        try (NDManager manager = NDManager.newBaseManager(common.device())) {
            Checkpoint read = Checkpoint.read(file, manager);
            if (ema && read.ema().isEmpty()) {
                throw new UserException(
                        file + " holds no EMA weights; export the trained ones without --ema");
            }
            Map<String, NDArray> source = ema ? read.ema() : read.model();
            UNet model = new UNet(read.config().model());
            Map<String, Shape> shapes = new LinkedHashMap<>();
            source.forEach((name, array) -> shapes.put(name, array.getShape()));
            List<String> problems = model.mismatches(shapes);
            if (!problems.isEmpty()) {
                throw new UserException(file + ": " + UNet.describe(problems));
            }
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (String name : model.namedParameters().keySet()) {
                weights.put(name, source.get(name));
            }
            if (format == Format.DDPM) {
                new Checkpoint(
                                read.config(),
                                ema ? Map.of() : weights,
                                ema ? weights : Map.of(),
                                Map.of(),
                                read.state(),
                                read.classes())
                        .write(to);
            } else {
                ReferenceWeights.write(to, weights, read.config().model(), model.parameterCount());
            }
            LOG.info(
                    "exported the {} weights of {} ({} tensors)",
                    ema ? "EMA" : "trained",
                    file,
                    weights.size());
        }
        spec.commandLine().getOut().println(to);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
