package dev.ddpm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {

    @TempDir Path dir;

    @Test
    void theShippedModelsReportsGoToTheUsersFolderAndARunsBesideIt() throws Exception {
        Path installation = Files.createDirectories(dir.resolve("ddpm/checkpoints/pretrained"));
        Path run = Files.createDirectories(dir.resolve("user/checkpoints/mine"));
        Path user = dir.resolve("user");
        Workspace workspace = new Workspace(user, dir.resolve("ddpm"));

        assertEquals(
                user.resolve("eval/pretrained"),
                Evaluation.defaultFolder(
                        workspace, installation.resolve("step-00009380.safetensors")));
        // however the path to the shipped model is spelled
        assertEquals(
                user.resolve("eval/pretrained"),
                Evaluation.defaultFolder(
                        workspace,
                        run.resolve("../../../ddpm/checkpoints/pretrained/step-1.safetensors")));
        assertEquals(
                run.resolve("eval"),
                Evaluation.defaultFolder(workspace, run.resolve("step-00000010.safetensors")));
    }
}
