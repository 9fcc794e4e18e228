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

    /** The message of the refusal to lock {@code run}, after checking that it is one line. */
    private static String refusal(RunDirectory run) {
        dev.ddpm.common.UserException e =
                assertThrows(dev.ddpm.common.UserException.class, run::lock);
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aFileWhereTheRunFolderGoesIsAUserErrorSayingWhatToDo() throws IOException {
        RunDirectory run = new RunDirectory(Files.writeString(root.resolve("quick"), "notes"));
        String message = refusal(run);
        assertTrue(message.contains(run.root().toString()), message);
        assertTrue(message.contains("move it away or pick another --run name"), message);
        assertEquals("notes", Files.readString(run.root()), "the file is left as it was");

        Path checkpoints = Files.writeString(root.resolve("checkpoints"), "not a folder");
        message = refusal(new RunDirectory(checkpoints.resolve("quick")));
        assertTrue(message.contains(checkpoints + " is a file where a folder should be"), message);
    }

    @Test
    void runFilesOfTheWrongKindAreRefusedBeforeTraining() throws IOException {
        RunDirectory folderForConfig = new RunDirectory(root.resolve("a"));
        Files.createDirectories(folderForConfig.config());
        assertTrue(refusal(folderForConfig).contains(folderForConfig.config().toString()));

        RunDirectory fileForSamples = new RunDirectory(root.resolve("b"));
        Files.createDirectories(fileForSamples.root());
        Files.writeString(fileForSamples.samples(), "x");
        String message = refusal(fileForSamples);
        assertTrue(message.contains(fileForSamples.samples().toString()), message);
        assertTrue(message.contains("move it away"), message);

        RunDirectory folderForReport = new RunDirectory(root.resolve("c"));
        Files.createDirectories(folderForReport.report());
        assertTrue(refusal(folderForReport).contains(folderForReport.report().toString()));

        RunDirectory fileForQuality = new RunDirectory(root.resolve("d"));
        Files.createDirectories(fileForQuality.root());
        Files.writeString(fileForQuality.quality(), "x");
        assertTrue(refusal(fileForQuality).contains(fileForQuality.quality().toString()));
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
        assertEquals(
                recent.checkpoint(100),
                RunDirectory.resolveCheckpoint(
                        "latest", root, root.resolve(RunDirectory.PRETRAINED)));
        assertEquals(
                recent.checkpoint(100),
                RunDirectory.resolveCheckpoint(null, root, root.resolve(RunDirectory.PRETRAINED)));
        assertEquals(
                old.checkpoint(5000),
                RunDirectory.resolveCheckpoint("old", root, root.resolve(RunDirectory.PRETRAINED)));
        assertEquals(
                old.checkpoint(5000),
                RunDirectory.resolveCheckpoint(
                        old.root().toString(), root, root.resolve(RunDirectory.PRETRAINED)));
        Path file = old.checkpoint(5000);
        assertEquals(
                file,
                RunDirectory.resolveCheckpoint(
                        file.toString(), root, root.resolve(RunDirectory.PRETRAINED)));
    }

    @Test
    void runColonBestNamesTheBestCheckpointWhichRotationAndLatestLeaveAlone() throws IOException {
        RunDirectory quick = new RunDirectory(root.resolve("quick"));
        RunDirectory other = new RunDirectory(root.resolve("other"));
        touch(quick.checkpoint(500), 1_000_000);
        touch(quick.best(), 1_500_000);
        touch(quick.checkpoint(1000), 2_000_000);
        touch(other.checkpoint(100), 3_000_000);
        assertEquals(List.of(quick.checkpoint(500), quick.checkpoint(1000)), quick.checkpoints());
        assertEquals(
                quick.best(),
                RunDirectory.resolveCheckpoint(
                        "quick:best", root, root.resolve(RunDirectory.PRETRAINED)));
        assertEquals(
                quick.best(),
                RunDirectory.resolveCheckpoint(
                        quick.root() + ":best", root, root.resolve(RunDirectory.PRETRAINED)));
        assertEquals(
                other.checkpoint(100),
                RunDirectory.resolveCheckpoint(
                        "latest", root, root.resolve(RunDirectory.PRETRAINED)));
        RunDirectory.NoCheckpointException none =
                assertThrows(
                        RunDirectory.NoCheckpointException.class,
                        () ->
                                RunDirectory.resolveCheckpoint(
                                        "latest:best",
                                        root,
                                        root.resolve(RunDirectory.PRETRAINED)));
        assertTrue(
                none.getMessage().contains("has no best checkpoint")
                        && none.getMessage().contains("train.eval_images_per_class"),
                none.getMessage());
    }

    @Test
    void missingCheckpointsSayHowToGetOne() throws IOException {
        RunDirectory.NoCheckpointException none =
                assertThrows(
                        RunDirectory.NoCheckpointException.class,
                        () ->
                                RunDirectory.resolveCheckpoint(
                                        "latest", root, root.resolve(RunDirectory.PRETRAINED)));
        assertTrue(
                none.getMessage().contains("ddpm train")
                        && none.getMessage().contains("ddpm import"),
                none.getMessage());
        Files.createDirectories(root.resolve("empty"));
        assertThrows(
                RunDirectory.NoCheckpointException.class,
                () ->
                        RunDirectory.resolveCheckpoint(
                                "empty", root, root.resolve(RunDirectory.PRETRAINED)));
        assertThrows(
                RunDirectory.NoCheckpointException.class,
                () ->
                        RunDirectory.resolveCheckpoint(
                                "nope", root, root.resolve(RunDirectory.PRETRAINED)));
    }

    @Test
    void latestFallsBackToTheShippedModelOnlyWhileTheUserHasNoRun() throws IOException {
        RunDirectory shipped = new RunDirectory(root.resolve(RunDirectory.PRETRAINED));
        touch(shipped.checkpoint(9000), 5_000_000);
        assertEquals(
                shipped.checkpoint(9000),
                RunDirectory.resolveCheckpoint(
                        "latest", root, root.resolve(RunDirectory.PRETRAINED)));
        RunDirectory mine = new RunDirectory(root.resolve("mine"));
        touch(mine.checkpoint(10), 1_000);
        assertEquals(
                mine.checkpoint(10),
                RunDirectory.resolveCheckpoint(
                        "latest", root, root.resolve(RunDirectory.PRETRAINED)),
                "the user's run, even though the shipped file is newer");
        assertEquals(
                shipped.checkpoint(9000),
                RunDirectory.resolveCheckpoint(
                        RunDirectory.PRETRAINED, root, root.resolve(RunDirectory.PRETRAINED)));
    }

    @Test
    void aCheckpointRotatedAwayWhileBeingReadIsReplacedByTheNewerOne() throws IOException {
        RunDirectory run = new RunDirectory(root.resolve("run"));
        Path old = touch(run.checkpoint(100), 1_000);
        Path newer = run.checkpoint(200);
        List<Path> read = new java.util.ArrayList<>();
        Path got =
                RunDirectory.readCheckpoint(
                        old,
                        "latest",
                        () -> RunDirectory.resolveCheckpoint("latest", root, root),
                        file -> {
                            read.add(file);
                            if (file.equals(old)) {
                                // The training writes step 200 and deletes step 100 just as we open
                                // it.
                                try {
                                    touch(newer, 2_000);
                                    Files.delete(old);
                                    Files.newInputStream(old).close();
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            }
                            return file;
                        });
        assertEquals(newer, got);
        assertEquals(List.of(old, newer), read);
        IOException missing = new java.nio.file.NoSuchFileException("x");
        assertThrows(
                RuntimeException.class,
                () ->
                        RunDirectory.readCheckpoint(
                                newer,
                                newer.toString(),
                                () -> newer,
                                file -> {
                                    throw new java.io.UncheckedIOException(missing);
                                }),
                "a file the user named is not replaced");
    }
}
