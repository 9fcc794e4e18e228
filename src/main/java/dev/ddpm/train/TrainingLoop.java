package dev.ddpm.train;

import dev.ddpm.config.TrainConfig;
import dev.ddpm.io.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Runs a {@link DiffusionTrainer} to the end of its epochs, or until asked to stop, telling its
 * listeners about every step. The loop alone reads the loss from the device (every {@code
 * train.log_every_steps} steps), so that a step never waits for the device otherwise.
 */
public final class TrainingLoop {

    /** How a run ended. */
    public enum Outcome {
        /** All epochs done. */
        COMPLETED,
        /** Stopped early by {@link #requestStop} or a step limit; a checkpoint holds the state. */
        STOPPED
    }

    private final DiffusionTrainer trainer;
    private final List<TrainingLoopListener> listeners;
    private volatile boolean stopRequested;

    public TrainingLoop(DiffusionTrainer trainer, List<TrainingLoopListener> listeners) {
        this.trainer = trainer;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * The listeners of a run in {@code run}, in the order they must see a step: divergence before
     * anything records or saves the step, metrics, checkpoints, previews.
     */
    public static TrainingLoop forRun(DiffusionTrainer trainer, RunDirectory run)
            throws IOException {
        return forRun(trainer, run, List.of());
    }

    /**
     * The listeners of a run, then {@code more}, which see every step after the run's files have
     * been written.
     */
    public static TrainingLoop forRun(
            DiffusionTrainer trainer, RunDirectory run, List<TrainingLoopListener> more)
            throws IOException {
        Files.createDirectories(run.root());
        List<TrainingLoopListener> listeners =
                new ArrayList<>(
                        List.of(
                                new DivergenceGuard(run),
                                new MetricsRecorder(trainer, run),
                                new CheckpointWriter(
                                        run, trainer.config().train().keepCheckpoints()),
                                new PreviewWriter(trainer, run)));
        listeners.addAll(more);
        return new TrainingLoop(trainer, listeners);
    }

    /** Asks the loop to stop after the current step and save the state; safe from any thread. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains to the end of {@code train.epochs}. */
    public Outcome run() throws IOException {
        return run(Long.MAX_VALUE);
    }

    /**
     * Trains until all epochs are done, {@link #requestStop} is called, or {@code stopAtStep} steps
     * have been taken.
     *
     * @throws TrainingDivergedException when the loss or the weights become NaN or infinite
     */
    public Outcome run(long stopAtStep) throws IOException {
        TrainConfig train = trainer.config().train();
        long images = 0;
        long stepNanos = 0;
        while (trainer.epoch() < train.epochs()) {
            if (stopRequested || trainer.stepsDone() >= stopAtStep) {
                return end(Outcome.STOPPED, images, stepNanos);
            }
            int epoch = trainer.epoch();
            long started = System.nanoTime();
            int batch = trainer.trainingImages() - trainer.batchInEpoch() * train.batchSize();
            trainer.step();
            images += Math.min(train.batchSize(), batch);
            boolean log = trainer.stepsDone() % train.logEverySteps() == 0;
            OptionalDouble loss =
                    log
                            ? OptionalDouble.of(trainer.meanLossSinceLastRead())
                            : OptionalDouble.empty();
            stepNanos += System.nanoTime() - started;
            boolean epochEnd = trainer.epoch() != epoch;
            StepEvent event =
                    new StepEvent(
                            trainer.stepsDone(),
                            epoch,
                            epochEnd,
                            loss,
                            images,
                            stepNanos / 1e9,
                            epochEnd || trainer.stepsDone() % train.checkpointEverySteps() == 0);
            for (TrainingLoopListener l : listeners) {
                l.onStep(trainer, event);
            }
            if (log) {
                images = 0;
                stepNanos = 0;
            }
        }
        return end(Outcome.COMPLETED, images, stepNanos);
    }

    private Outcome end(Outcome outcome, long images, long stepNanos) throws IOException {
        if (images > 0 && outcome == Outcome.COMPLETED) {
            long started = System.nanoTime();
            double loss = trainer.meanLossSinceLastRead();
            StepEvent last =
                    new StepEvent(
                            trainer.stepsDone(),
                            trainer.epoch() - 1,
                            false,
                            OptionalDouble.of(loss),
                            images,
                            (stepNanos + System.nanoTime() - started) / 1e9,
                            false);
            for (TrainingLoopListener l : listeners) {
                l.onStep(trainer, last);
            }
        }
        for (TrainingLoopListener l : listeners) {
            l.onEnd(trainer, outcome);
        }
        return outcome;
    }
}
