package dev.ddpm.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.common.NativeArrays;
import dev.ddpm.io.ImageGrid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ddpm sample}: a PNG grid of generated digits from a checkpoint. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generates digits with a trained model and writes them as a PNG grid; prints its path.",
            "All images are sampled in one batch on the device (see --max-batch)."},
        footer = {"", "Output: samples/digit-D.png or samples/all-digits.png (one row per digit) unless --out.",
            "", "Examples:",
            "  ddpm sample --digit 7                         # 8 sevens, DDIM 100 steps",
            "  ddpm sample --all-digits --n 10 --guidance 2  # a row per digit, guided",
            "  ddpm sample --digit 3 --sampler ddpm          # the reference's sampler",
            "  ddpm sample --digit 1 --checkpoint checkpoints/quick --no-ema --out one.png"})
public final class SampleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--n", paramLabel = "N", defaultValue = "8", description = "Images per digit (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--out", paramLabel = "FILE.png", description = "Where to write the grid.")
    Path out;

    @Option(names = "--scale", paramLabel = "K", defaultValue = "2",
            description = "Pixel upscaling for viewing (default: ${DEFAULT-VALUE}, so 64x64 per digit).")
    int scale;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        UsageException.requireBetween("--n", n, 1, 10_000);
        UsageException.requireBetween("--scale", scale, 1, SamplingOptions.MAX_SCALE);
        sampling.validate();
        Path file = sampling.checkpointFile();
        try (NDManager manager = NDManager.newBaseManager(common.device())) {
            SamplingOptions.Loaded loaded = sampling.load(file, manager);
            long[] labels = sampling.labels(loaded.config().model().numClasses(), n);
            NDArray images = sampling.sample(loaded, sampling.sampler(loaded.schedule()), NativeArrays.copyOf(manager, labels), null);
            Path png = out != null ? out : Path.of("samples",
                    sampling.allDigits() ? "all-digits.png" : "digit-" + labels[0] + ".png");
            ImageGrid.write(images, sampling.allDigits() ? n : Math.min(n, 8), scale, png);
            spec.commandLine().getOut().println(png);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
