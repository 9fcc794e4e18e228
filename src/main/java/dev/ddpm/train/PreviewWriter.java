package dev.ddpm.train;

import ai.djl.ndarray.NDManager;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.TrainConfig;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.io.ImageGrid;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.model.UNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code train.sample_every_steps} steps and at the end of the run, a grid of every digit
 * ({@value #ROWS} rows) from the weights samples are drawn with (the EMA when there is one), with
 * {@code train.sample_sampler} over {@code train.sample_steps} steps, guidance {@code
 * train.sample_guidance} and a fixed seed, so that grids of different steps compare: {@code
 * samples/step-00001000.png}.
 */
final class PreviewWriter implements TrainingLoopListener {

    private static final Logger LOG = LoggerFactory.getLogger(PreviewWriter.class);

    /** Seed of the preview grids: the same starting noise at every step. */
    static final long SEED = 20_240_601L;

    private static final int ROWS = 2;
    private static final int SCALE = 2;

    private final RunDirectory run;
    private final int every;
    private UNet sampling;
    private long lastPreview = -1;

    PreviewWriter(DiffusionTrainer trainer, RunDirectory run) throws IOException {
        this.run = run;
        this.every = trainer.config().train().sampleEverySteps();
        if (every > 0) {
            Files.createDirectories(run.samples());
        }
    }

    @Override
    public void onStep(DiffusionTrainer trainer, StepEvent event) throws IOException {
        if (every > 0 && event.step() % every == 0) {
            write(trainer);
        }
    }

    @Override
    public void onEnd(DiffusionTrainer trainer, TrainingLoop.Outcome outcome) throws IOException {
        if (every > 0 && outcome == TrainingLoop.Outcome.COMPLETED) {
            write(trainer);
        }
    }

    private void write(DiffusionTrainer trainer) throws IOException {
        if (lastPreview == trainer.stepsDone()) {
            return;
        }
        DdpmConfig config = trainer.config();
        if (sampling == null) {
            sampling = UNet.create(config.model(), trainer.manager());
        }
        sampling.loadWeights(trainer.samplingWeights());
        int classes = config.model().numClasses();
        long[] labels = new long[classes * ROWS];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % classes;
        }
        try (NDManager scope = trainer.manager().newSubManager()) {
            Generator generator =
                    Generator.of(
                            config,
                            sampling,
                            trainer.hasEma() ? Generator.Weights.EMA : Generator.Weights.TRAINED,
                            trainer.stepsDone(),
                            scope);
            TrainConfig train = config.train();
            SamplingSettings settings = SamplingSettings.of(train.sampleSampler(), SEED);
            if (train.sampleSampler().takesSteps()) {
                settings = settings.withSteps(train.sampleSteps());
            }
            settings = settings.withGuidance(train.sampleGuidance());
            Generator.Images images = generator.generate(labels, settings, null);
            Path png = run.samples().resolve(String.format("step-%08d.png", trainer.stepsDone()));
            ImageGrid.writePng(
                    ImageGrid.render(images.pixels(), images.shape(), classes, SCALE), png);
            LOG.debug("samples {}", png);
        }
        lastPreview = trainer.stepsDone();
    }
}
