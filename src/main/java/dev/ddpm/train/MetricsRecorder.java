package dev.ddpm.train;

import dev.ddpm.io.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What a user watches and keeps of the loss: at every log step a line in {@code metrics.jsonl}, the
 * redrawn {@code loss.png} and a log line; on a terminal, a progress bar per epoch in between.
 */
final class MetricsRecorder implements TrainingLoopListener {

    private final MetricsLog metrics;
    private final Path lossPlot;
    private final Progress progress;
    private final long totalSteps;
    private final int batchSize;
    private int barEpoch = -1;

    /** Opens the run's metrics, dropping lines logged after the step the trainer resumes from. */
    MetricsRecorder(DiffusionTrainer trainer, RunDirectory run) throws IOException {
        this.metrics = new MetricsLog(run.metrics(), trainer.stepsDone());
        this.lossPlot = run.lossPlot();
        this.progress = Progress.forConsole(trainer.config().train().epochs());
        this.totalSteps = trainer.totalSteps();
        this.batchSize = trainer.config().train().batchSize();
    }

    @Override
    public void onStep(DiffusionTrainer trainer, StepEvent event) throws IOException {
        if (barEpoch != event.epoch() && !event.epochEnd()) {
            barEpoch = event.epoch();
            progress.startEpoch(
                    event.epoch(), trainer.batchInEpoch() - 1, trainer.batchesPerEpoch());
        }
        progress.onStep(
                event.step(),
                event.epochEnd() ? trainer.batchesPerEpoch() : trainer.batchInEpoch(),
                batchSize);
        if (event.isLogStep()) {
            MetricsLog.Entry e =
                    new MetricsLog.Entry(
                            event.step(),
                            event.epoch(),
                            event.meanLoss().getAsDouble(),
                            trainer.lastLearningRate(),
                            event.images() / event.seconds(),
                            Instant.now().toString());
            metrics.append(e);
            LossChart.write(metrics.entries(), lossPlot);
            progress.onLog(e, totalSteps);
        }
    }

    @Override
    public void onEnd(DiffusionTrainer trainer, TrainingLoop.Outcome outcome) {
        progress.clearLine();
    }
}
