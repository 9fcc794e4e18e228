package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {

    @TempDir Path root;

    private Path touch(Path p, long millis) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
        Files.setLastModifiedTime(p, FileTime.fromMillis(millis));
        return p;
    }

    @Test
    void checkpointsAreOrderedByStepNotByName() throws IOException {
        RunDirectory run = new RunDirectory(root.resolve("run"));
        touch(run.checkpoint(900), 1000);
        touch(run.checkpoint(12000), 2000);
        touch(run.checkpoint(3000), 3000);
        touch(run.root().resolve("notes.txt"), 4000);
        assertEquals(
                List.of(run.checkpoint(900), run.checkpoint(3000), run.checkpoint(12000)),
                run.checkpoints());
        assertEquals(run.checkpoint(12000), run.latestCheckpoint().orElseThrow());
    }

    @Test
    void latestIsTheRunWrittenLastAndSpecsResolveFilesFoldersAndNames() throws IOException {
        RunDirectory old = new RunDirectory(root.resolve("old"));
        RunDirectory recent = new RunDirectory(root.resolve("recent"));
        touch(old.checkpoint(5000), 1_000_000);
        touch(recent.checkpoint(100), 2_000_000);
        assertEquals(recent.checkpoint(100), RunDirectory.resolveCheckpoint("latest", root));
        assertEquals(recent.checkpoint(100), RunDirectory.resolveCheckpoint(null, root));
        assertEquals(old.checkpoint(5000), RunDirectory.resolveCheckpoint("old", root));
        assertEquals(
                old.checkpoint(5000), RunDirectory.resolveCheckpoint(old.root().toString(), root));
        Path file = old.checkpoint(5000);
        assertEquals(file, RunDirectory.resolveCheckpoint(file.toString(), root));
    }

    @Test
    void missingCheckpointsSayHowToGetOne() throws IOException {
        RunDirectory.NoCheckpointException none =
                assertThrows(
                        RunDirectory.NoCheckpointException.class,
                        () -> RunDirectory.resolveCheckpoint("latest", root));
        assertTrue(
                none.getMessage().contains("ddpm train")
                        && none.getMessage().contains("ddpm import"),
                none.getMessage());
        Files.createDirectories(root.resolve("empty"));
        assertThrows(
                RunDirectory.NoCheckpointException.class,
                () -> RunDirectory.resolveCheckpoint("empty", root));
        assertThrows(
                RunDirectory.NoCheckpointException.class,
                () -> RunDirectory.resolveCheckpoint("nope", root));
    }
}
