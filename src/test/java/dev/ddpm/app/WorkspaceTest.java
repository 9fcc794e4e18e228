package dev.ddpm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ddpm.data.MnistDataset;
import dev.ddpm.io.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run from another folder, the toolkit still finds the installation's model and data. */
class WorkspaceTest {

    /** The repository: the installation a clone's launcher names. */
    private static final Path INSTALLATION = Path.of("").toAbsolutePath();

    @TempDir Path elsewhere;

    @Test
    void theShippedModelAndMnistAreFoundFromAnotherFolder() throws IOException {
        Workspace workspace = new Workspace(elsewhere, INSTALLATION);
        Path shipped =
                new RunDirectory(INSTALLATION.resolve("checkpoints/pretrained"))
                        .latestCheckpoint()
                        .orElseThrow();
        assertEquals(shipped, workspace.resolveCheckpoint("latest"));
        assertEquals(shipped, workspace.resolveCheckpoint(RunDirectory.PRETRAINED));
        assertEquals(INSTALLATION.resolve("data/mnist"), workspace.dataFolder("data", "mnist"));
        assertEquals(
                60_000,
                MnistDataset.load(workspace.dataFolder("data", "mnist"), "mnist", true).size());
        assertEquals(
                elsewhere.resolve("data/fashion-mnist"),
                workspace.dataFolder("data", "fashion-mnist"),
                "what neither folder holds is downloaded into the user's");
    }

    @Test
    void theUsersOwnRunsAndDataComeFirst() throws IOException {
        Workspace workspace = new Workspace(elsewhere, INSTALLATION);
        RunDirectory mine = new RunDirectory(workspace.checkpoints().resolve("mine"));
        Files.createDirectories(mine.root());
        Files.writeString(mine.checkpoint(10), "");
        assertEquals(mine.checkpoint(10), workspace.resolveCheckpoint("latest"));
        Path data = elsewhere.resolve("data/mnist");
        Files.createDirectories(data);
        for (String file : dev.ddpm.data.MnistDownloader.FILES) {
            Files.copy(INSTALLATION.resolve("data/mnist").resolve(file), data.resolve(file));
        }
        assertEquals(data, workspace.dataFolder("data", "mnist"));
    }

    @Test
    void withoutAnInstallationNothingIsShipped() {
        Workspace bare = new Workspace(elsewhere, elsewhere);
        assertThrows(
                RunDirectory.NoCheckpointException.class, () -> bare.resolveCheckpoint("latest"));
        assertEquals(elsewhere.resolve("data/mnist"), bare.dataFolder("data", "mnist"));
    }

    @Test
    void theCommandLineKeepsRelativePathsInItsOwnInstallation() {
        String before = System.getProperty(Workspace.HOME_PROPERTY);
        try {
            System.setProperty(Workspace.HOME_PROPERTY, INSTALLATION.toString());
            assertEquals(new Workspace(Path.of(""), Path.of("")), Workspace.current());
            System.setProperty(Workspace.HOME_PROPERTY, elsewhere.toString());
            assertEquals(new Workspace(Path.of(""), elsewhere), Workspace.current());
            assertEquals(Path.of("checkpoints"), Workspace.current().checkpoints());
        } finally {
            if (before == null) {
                System.clearProperty(Workspace.HOME_PROPERTY);
            } else {
                System.setProperty(Workspace.HOME_PROPERTY, before);
            }
        }
    }
}
