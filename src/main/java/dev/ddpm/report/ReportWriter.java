package dev.ddpm.report;

import dev.ddpm.io.RunDirectory;
import dev.ddpm.train.DiffusionTrainer;
import dev.ddpm.train.StepEvent;
import dev.ddpm.train.TrainingLoop;
import dev.ddpm.train.TrainingLoopListener;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the run's {@code report.html} at every checkpoint and when the loop ends; it comes after
 * the listeners whose files the page shows.
 */
public final class ReportWriter implements TrainingLoopListener {

    private static final Logger LOG = LoggerFactory.getLogger(ReportWriter.class);

    private final RunDirectory run;
    private final Machine machine;

    public ReportWriter(RunDirectory run, Machine machine) {
        this.run = run;
        this.machine = machine;
    }

    @Override
    public void onStep(DiffusionTrainer trainer, StepEvent event) throws IOException {
        if (event.checkpointDue()) {
            write(trainer, RunReport.State.TRAINING);
        }
    }

    @Override
    public void onEnd(DiffusionTrainer trainer, TrainingLoop.Outcome outcome) throws IOException {
        write(
                trainer,
                outcome == TrainingLoop.Outcome.COMPLETED
                        ? RunReport.State.FINISHED
                        : RunReport.State.STOPPED);
    }

    private void write(DiffusionTrainer trainer, RunReport.State state) throws IOException {
        RunReport.write(
                run,
                machine,
                new RunReport.Progress(state, trainer.stepsDone(), trainer.totalSteps()));
        LOG.debug("report {}", run.report());
    }
}
