package dev.ddpm.cli;

import ai.djl.ndarray.NDManager;
import dev.ddpm.app.ModelSource;
import dev.ddpm.app.Workspace;
import dev.ddpm.common.UserException;
import dev.ddpm.diffusion.SamplingListener;
import dev.ddpm.generate.Generator;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.ImageGrid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ddpm sample}: a PNG grid of generated digits from a checkpoint. */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Generates digits with a trained model and writes them as a PNG grid; prints its path.",
            "Images are sampled in batches chosen for the device (see --max-batch)."
        },
        footer = {
            "",
            "Output: samples/digit-D.png, samples/all-digits.png (one row per digit),"
                    + " samples/class-NAME.png or samples/all-classes.png unless --out.",
            "",
            "Examples:",
            "  ddpm sample --digit 7                         # 8 sevens, DPM-Solver++",
            "  ddpm sample --all-digits --n 10 --guidance 2  # a row per digit, guided",
            "  ddpm sample --digit 3 --sampler ddpm          # the reference's sampler",
            "  ddpm sample --digit 1 --checkpoint checkpoints/clipped --no-ema --out one.png",
            "  ddpm sample --all-classes --checkpoint color     # a model of an image folder"
        })
public final class SampleCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(SampleCommand.class);

    /** Largest {@code --scale} of the pictures that {@code sample} and {@code gif} write. */
    static final int MAX_SCALE = 32;

    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Mixin ClassOptions classes;

    @Mixin GenerationOptions generation;

    @Option(
            names = "--n",
            paramLabel = "N",
            defaultValue = "8",
            description = "Images per digit (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--out", paramLabel = "FILE.png", description = "Where to write the grid.")
    Path out;

    @Option(
            names = "--scale",
            paramLabel = "K",
            defaultValue = "2",
            description =
                    "Pixel upscaling for viewing (default: ${DEFAULT-VALUE}, so 64x64 per digit).")
    int scale;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        requireBetween("--n", n, 1, 10_000);
        requireBetween("--scale", scale, 1, MAX_SCALE);
        classes.validate();
        generation.validate();
        Workspace workspace = common.workspace();
        ModelSource source = generation.source(workspace);
        Path samples = workspace.output("samples");
        String early = classes.nameBeforeTheModel();
        if (out != null || early != null) {
            AtomicFiles.requireWritable(out != null ? out : samples.resolve(early + ".png"));
        }
        try (NDManager manager = NDManager.newBaseManager(common.device())) {
            Generator generator = source.open(manager);
            generation.requireStepsWithin(generator);
            long[] labels = classes.labels(generator.classes(), n);
            Path png =
                    out != null ? out : samples.resolve(classes.name(generator.classes()) + ".png");
            AtomicFiles.requireWritable(png);
            Generator.Images images =
                    generator.generate(labels, generation.settings(generator), progressLog());
            logTime(images, labels.length);
            ImageGrid.writePng(
                    ImageGrid.render(
                            images.pixels(),
                            images.shape(),
                            classes.all() ? n : Math.min(n, 8),
                            scale),
                    png);
            spec.commandLine().getOut().println(png);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /**
     * Refuses {@code value} of {@code option} outside {@code [min, max]}, naming the allowed range.
     */
    static void requireBetween(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new UserException(
                    option + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** Logs progress every tenth of the steps (no device work). */
    static SamplingListener progressLog() {
        return (i, total, t, x) -> {
            if ((i + 1) % Math.max(1, total / 10) == 0 || i == total - 1) {
                LOG.info("step {}/{} (t = {})", i + 1, total, t);
            }
        };
    }

    static void logTime(Generator.Images images, int count) {
        LOG.info(
                "{} images, {} steps in {} s ({} ms per step)",
                count,
                images.steps(),
                String.format("%.2f", images.seconds()),
                String.format("%.1f", images.millisPerStep()));
    }
}
