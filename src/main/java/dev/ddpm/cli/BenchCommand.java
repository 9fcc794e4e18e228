package dev.ddpm.cli;

import ai.djl.Device;
import dev.ddpm.app.TrainingSet;
import dev.ddpm.common.UserException;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.SamplerKind;
import dev.ddpm.data.LabeledImages;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.model.UNet;
import dev.ddpm.train.Benchmark;
import dev.ddpm.train.DiffusionTrainer;
import dev.ddpm.train.ProcessMemory;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ddpm bench}: speed and memory of training and sampling steps for a configuration. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measures training and sampling speed and peak memory; writes nothing.",
            "Training in ms per step and images/s, and DDPM sampling in ms per step, for a"
                    + " configuration, batch size and device, on real MNIST batches."
        },
        footer = {
            "",
            "Examples:",
            "  ddpm bench --config config/quick.json                 the small model on this"
                    + " machine",
            "  ddpm bench --device gpu --batch-size 64 --steps 50    the reference model on a GPU",
            "  ddpm bench --device gpu --batch-size 64,128,256,512 --sampling",
            "      images/s and GPU memory per batch size, and sampling times"
        })
public final class BenchCommand implements Callable<Integer> {

    @Mixin CommonOptions common;

    @Mixin ConfigOptions configOptions;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            split = ",",
            description =
                    "Images per step, or several (e.g. 64,128,256,512) to compare (default:"
                            + " train.batch_size).")
    List<Integer> batchSizes = new ArrayList<>();

    @Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "20",
            description = "Timed training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "3",
            description =
                    "Untimed steps first, for allocator and kernel warm-up (default:"
                            + " ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--sample-steps",
            paramLabel = "N",
            defaultValue = "10",
            description = "Timed DDPM sampling steps (default: ${DEFAULT-VALUE}).")
    int sampleSteps;

    @Option(
            names = "--sampling",
            description =
                    "Also time what users wait for: 10 digits with DDPM over every timestep, and 8"
                            + " and 256 images with DDIM 50 steps and with DPM-Solver++(2M) at its"
                            + " default steps.")
    boolean sampling;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        if (steps < 1 || warmup < 0 || sampleSteps < 2) {
            throw new UserException("--steps must be >= 1, --sample-steps >= 2 and --warmup >= 0");
        }
        if (batchSizes.stream().anyMatch(b -> b < 1)) {
            throw new UserException("--batch-size must be at least 1, got " + batchSizes);
        }
        DdpmConfig config = configOptions.load();
        List<Integer> batches =
                batchSizes.isEmpty() ? List.of(config.train().batchSize()) : batchSizes;
        Device device = common.device();
        LabeledImages data = TrainingSet.load(common.workspace(), config);
        PrintWriter out = spec.commandLine().getOut();
        String configName =
                configOptions.file() == null
                        ? "reference (default)"
                        : configOptions.file().toString();
        out.printf(
                "ddpm bench: config %s, %,d parameters, device %s%n",
                configName, new UNet(config.model()).parameterCount(), device);
        out.printf(
                "  %6s %14s %14s %10s %12s%n",
                "batch", "ms/step", "host ms/step", "images/s", "GPU memory");
        DiffusionTrainer last = null;
        try {
            for (int batch : batches) {
                if (last != null) {
                    last.close();
                }
                last =
                        Benchmark.trainer(
                                configOptions.load(
                                        Map.of("train.batch_size", Integer.toString(batch))),
                                data,
                                device);
                Benchmark.Training t = Benchmark.training(last, warmup, steps);
                out.printf(
                        "  %6d %14.1f %14.1f %10.1f %12s%n",
                        t.batch(),
                        t.millisPerStep(),
                        t.hostMillisPerStep(),
                        t.imagesPerSecond(),
                        t.deviceBytes() < 0 ? "-" : mib(t.deviceBytes()));
                out.flush();
            }
            out.printf(
                    "  (%d timed steps after %d untimed; host ms/step: until the host had issued"
                            + " them)%n",
                    steps, warmup);
            int batch = batches.get(batches.size() - 1);
            SamplingSettings ddpm = SamplingSettings.of(SamplerKind.DDPM, 0).withMaxBatch(batch);
            Benchmark.Sampling s = Benchmark.sampling(last, sampleSteps, ddpm, batch);
            out.printf(
                    "  sampling: %.1f ms per DDPM step for a batch of %d%n",
                    1000 * s.seconds() / s.steps(), batch);
            if (sampling) {
                // 50 steps, or every step of a shorter schedule
                SamplingSettings ddim =
                        SamplingSettings.ddim(Math.min(50, config.diffusion().timesteps()), 0);
                SamplingSettings dpm = SamplingSettings.of(SamplerKind.DPM_SOLVER_2M, 0);
                for (Benchmark.Sampling run :
                        List.of(
                                Benchmark.sampling(last, 0, ddpm.withMaxBatch(10), 10),
                                Benchmark.sampling(last, 0, ddim, 8),
                                Benchmark.sampling(last, 0, dpm, 8),
                                Benchmark.sampling(last, 0, ddim, 256),
                                Benchmark.sampling(last, 0, dpm, 256))) {
                    out.printf(
                            "  sampling: %d images, %s %d steps: %.2f s (%.1f ms per step, %.1f"
                                    + " images/s)%n",
                            run.images(),
                            run.sampler(),
                            run.steps(),
                            run.seconds(),
                            1000 * run.seconds() / run.steps(),
                            run.images() / run.seconds());
                }
                out.println(
                        "  (ddim and dpm++2m in the generator's automatic batches; ddpm in one)");
            }
        } finally {
            if (last != null) {
                last.close();
            }
        }
        out.printf("  peak process RSS: %s%n", mib(ProcessMemory.peakResidentBytes()));
        out.flush();
        return 0;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%,d MiB", bytes >> 20);
    }
}
