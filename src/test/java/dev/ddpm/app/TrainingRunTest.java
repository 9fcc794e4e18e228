package dev.ddpm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.TrainingState;
import dev.ddpm.testing.TrainingFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training service without the command line: start, resume, and what it leaves behind. */
class TrainingRunTest {

    @TempDir Path tmp;

    @Test
    void aRunFinishesIsResumedForMoreEpochsAndRefusesToStartTwice() throws IOException {
        Workspace workspace = new Workspace(tmp, tmp);
        DdpmConfig tiny = TrainingFixtures.tiny(Map.of("train.epochs", "1"));
        TrainingRun run = TrainingRun.start(workspace, tiny, "direct");
        assertEquals(TrainingRun.Outcome.FINISHED, run.run(Device::cpu));
        RunDirectory dir = new RunDirectory(tmp.resolve("checkpoints/direct"));
        assertEquals(dir, run.directory());
        assertEquals(tiny, ConfigLoader.load(dir.config(), Map.of()));
        assertTrue(Files.readString(dir.log()).contains("finished 1 epochs (4 steps)"));
        assertEquals(
                new TrainingState(4, 1, 0, 0, 4),
                Checkpoint.readHeader(dir.latestCheckpoint().orElseThrow()).state());

        UserException twice =
                assertThrows(
                        UserException.class,
                        () -> TrainingRun.start(workspace, tiny, "direct").run(Device::cpu));
        assertTrue(twice.getMessage().contains("already holds checkpoints"), twice.getMessage());

        TrainingRun resumed =
                TrainingRun.resume(
                        workspace,
                        "direct",
                        saved -> ConfigLoader.load(saved, null, Map.of("train.epochs", "2")));
        assertEquals(TrainingRun.Outcome.FINISHED, resumed.run(Device::cpu));
        assertEquals(
                new TrainingState(8, 2, 0, 0, 8),
                Checkpoint.readHeader(dir.latestCheckpoint().orElseThrow()).state());
        assertThrows(
                UserException.class,
                () ->
                        TrainingRun.resume(
                                workspace,
                                "direct",
                                saved -> ConfigLoader.load(saved, null, Map.of("train.seed", "9"))),
                "a resume that contradicts the run is refused before any work");
    }

    @Test
    void aStopRequestedBeforeTheFirstStepWritesACheckpointAndStops() throws IOException {
        TrainingRun run =
                TrainingRun.start(new Workspace(tmp, tmp), TrainingFixtures.tiny(Map.of()), "stop");
        run.requestStop();
        assertEquals(TrainingRun.Outcome.STOPPED, run.run(Device::cpu));
    }
}
