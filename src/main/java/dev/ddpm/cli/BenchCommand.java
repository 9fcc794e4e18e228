package dev.ddpm.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.util.cuda.CudaUtils;
import dev.ddpm.common.UserException;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.data.TrainingSet;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplerKind;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.train.ProcessMemory;
import dev.ddpm.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.MemoryUsage;
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
            "Measures training (ms per step, images/s) and DDPM sampling (ms per step) for a"
                    + " configuration,",
            "batch size and device, on real MNIST batches, and the peak memory. Nothing is written"
                    + " to disk."
        },
        footer = {
            "",
            "Examples:",
            "  ddpm bench --config config/quick.json                 the small model on this"
                    + " machine",
            "  ddpm bench --device gpu --batch-size 64 --steps 50    the reference model on a GPU"
        })
public final class BenchCommand implements Callable<Integer> {

    @Mixin CommonOptions common;

    @Mixin ConfigOptions configOptions;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Images per step (default: train.batch_size).")
    Integer batchSize;

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

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        if (steps < 1 || warmup < 0 || sampleSteps < 2) {
            throw new UserException("--steps must be >= 1, --sample-steps >= 2 and --warmup >= 0");
        }
        DdpmConfig config =
                configOptions.load(
                        batchSize == null
                                ? Map.of()
                                : Map.of("train.batch_size", batchSize.toString()));
        int batch = config.train().batchSize();
        Device device = common.device();
        MnistDataset data = TrainingSet.load(config);

        double trainMs;
        double samplingMs;
        long parameters;
        try (Trainer trainer = new Trainer(config, data, device)) {
            parameters =
                    trainer.model().weights().values().stream()
                            .mapToLong(a -> a.getShape().size())
                            .sum();
            for (int i = 0; i < warmup; i++) {
                trainer.step();
            }
            trainer.meanLossSinceLastRead();
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                trainer.step();
            }
            trainer.meanLossSinceLastRead();
            trainMs = (System.nanoTime() - start) / 1e6 / steps;
            samplingMs = samplingMillisPerStep(trainer, config, batch, device);
        }

        PrintWriter out = spec.commandLine().getOut();
        String configName =
                configOptions.file() == null
                        ? "reference (default)"
                        : configOptions.file().toString();
        out.printf(
                "ddpm bench: config %s, %,d parameters, device %s, batch %d%n",
                configName, parameters, device, batch);
        out.printf("  %-34s %12s%n", "metric", "value");
        out.printf("  %-34s %12.1f%n", "training ms/step (" + steps + " steps)", trainMs);
        out.printf("  %-34s %12.1f%n", "training images/s", batch * 1000.0 / trainMs);
        out.printf("  %-34s %12.1f%n", "sampling ms/step (DDPM, batch " + batch + ")", samplingMs);
        out.printf("  %-34s %12s%n", "peak process RSS", mib(ProcessMemory.peakResidentBytes()));
        if (device.isGpu()) {
            MemoryUsage gpu = CudaUtils.getGpuMemory(device);
            out.printf(
                    "  %-34s %12s%n", "GPU memory in use (whole device)", mib(gpu.getCommitted()));
        }
        out.flush();
        return 0;
    }

    /**
     * Times {@code sampleSteps} DDPM steps on a batch of mixed digits with the trainer's current
     * weights.
     */
    private double samplingMillisPerStep(
            Trainer trainer, DdpmConfig config, int batch, Device device) {
        DiffusionConfig d = config.diffusion();
        // The cost of a reverse step does not depend on T: a schedule of sampleSteps steps times
        // exactly those.
        DiffusionConfig shortSchedule =
                new DiffusionConfig(
                        sampleSteps + d.finalTimestep(),
                        d.schedule(),
                        d.betaStart(),
                        d.betaEnd(),
                        d.cosineS(),
                        d.finalTimestep(),
                        d.clipX0(),
                        d.loss(),
                        d.schedulePrecision());
        long[] labels = new long[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % config.model().numClasses();
        }
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
            Generator generator =
                    Generator.of(
                            config.withDiffusion(shortSchedule),
                            trainer.model(),
                            Generator.Weights.TRAINED,
                            null,
                            m);
            generator.generate(labels, SamplingSettings.ddim(2, 0), null);
            SamplingSettings ddpm =
                    new SamplingSettings(SamplerKind.DDPM, null, 0, 0, 0, Integer.MAX_VALUE);
            return generator.generate(labels, ddpm, null).millisPerStep();
        }
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%,d MiB", bytes >> 20);
    }
}
