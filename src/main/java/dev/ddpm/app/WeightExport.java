package dev.ddpm.app;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigChoice;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.ReferenceWeights;
import dev.ddpm.model.UNet;
import dev.ddpm.model.WeightMismatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint's model weights written for use elsewhere: as the reference's {@code state_dict}
 * (its parameter names, float32, the model's shape in the metadata) for PyTorch, or as a ddpm
 * sampling checkpoint that holds only the chosen weights.
 */
public final class WeightExport {

    private static final Logger LOG = LoggerFactory.getLogger(WeightExport.class);

    /** What an export writes. */
    public enum Format implements ConfigChoice {
        /** The reference's state_dict, for PyTorch. */
        REFERENCE,
        /** A ddpm sampling checkpoint: the weights, the configuration and training state. */
        DDPM
    }

    private WeightExport() {}

    /**
     * Writes the trained (or, with {@code ema}, the averaged) weights of {@code checkpoint} to
     * {@code to}; a checkpoint that holds only averaged weights (a sampling checkpoint, such as the
     * shipped model) gives those without {@code ema} too, and the log says so.
     *
     * @param force replace an existing {@code to}
     * @throws UserException when {@code to} exists (without {@code force}), the checkpoint has no
     *     EMA weights but {@code ema} asks for them, or its weights do not fit its model
     */
    public static void run(
            Path checkpoint, Path to, boolean ema, Format format, boolean force, Device device)
            throws IOException {
        requireNew(to, force);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Checkpoint read = Checkpoint.read(checkpoint, manager);
            if (ema && read.ema().isEmpty()) {
                throw new UserException(
                        checkpoint
                                + " holds no EMA weights; export the trained ones without --ema");
            }
            boolean useEma = ema || (read.model().isEmpty() && !read.ema().isEmpty());
            if (useEma && !ema) {
                LOG.warn(
                        "{} holds only EMA weights (a sampling checkpoint); exporting those",
                        checkpoint);
            }
            Map<String, NDArray> source = useEma ? read.ema() : read.model();
            UNet model = new UNet(read.config().model());
            Map<String, Shape> shapes = new LinkedHashMap<>();
            source.forEach((name, array) -> shapes.put(name, array.getShape()));
            List<WeightMismatch> problems = model.mismatches(shapes);
            if (!problems.isEmpty()) {
                throw new UserException(checkpoint + ": " + WeightMismatch.describe(problems));
            }
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (String name : model.namedParameters().keySet()) {
                weights.put(name, source.get(name));
            }
            if (format == Format.DDPM) {
                new Checkpoint(
                                read.config(),
                                useEma ? Map.of() : weights,
                                useEma ? weights : Map.of(),
                                Map.of(),
                                read.state(),
                                read.classes())
                        .write(to);
            } else {
                ReferenceWeights.write(to, weights, read.config().model(), model.parameterCount());
            }
            LOG.info(
                    "exported the {} weights of {} ({} tensors)",
                    useEma ? "EMA" : "trained",
                    checkpoint,
                    weights.size());
        }
    }

    /**
     * Refuses a {@code to} that cannot be written, or an existing one unless {@code force}; {@link
     * #run} checks it first too, and a caller can check it before it finds the checkpoint.
     */
    public static void requireNew(Path to, boolean force) {
        AtomicFiles.requireWritable(to);
        if (Files.exists(to) && !force) {
            throw new UserException(
                    to + " already exists; choose another --to, or add --force to replace it");
        }
    }
}
