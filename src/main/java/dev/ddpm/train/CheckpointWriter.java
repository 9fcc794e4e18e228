package dev.ddpm.train;

import dev.ddpm.io.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves the state when a checkpoint is due (every {@code train.checkpoint_every_steps}, every epoch
 * end) and when the loop ends, at most once per step, and keeps only the newest {@code
 * train.keep_checkpoints}.
 */
final class CheckpointWriter implements TrainingLoopListener {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

    private final RunDirectory run;
    private final int keep;
    private long lastSaved = -1;

    CheckpointWriter(RunDirectory run, int keep) {
        this.run = run;
        this.keep = keep;
    }

    @Override
    public void onStep(DiffusionTrainer trainer, StepEvent event) throws IOException {
        if (event.checkpointDue()) {
            save(trainer);
        }
    }

    @Override
    public void onEnd(DiffusionTrainer trainer, TrainingLoop.Outcome outcome) throws IOException {
        save(trainer);
    }

    private void save(DiffusionTrainer trainer) throws IOException {
        if (lastSaved == trainer.stepsDone()
                || run.checkpoints().contains(run.checkpoint(trainer.stepsDone()))) {
            return;
        }
        Path file = run.checkpoint(trainer.stepsDone());
        trainer.snapshot().write(file);
        lastSaved = trainer.stepsDone();
        List<Path> all = run.checkpoints();
        for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
            Files.deleteIfExists(old);
        }
        LOG.debug("checkpoint {}", file);
    }
}
