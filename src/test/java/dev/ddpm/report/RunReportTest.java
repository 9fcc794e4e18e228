package dev.ddpm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.RunDirectory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page of a run folder: self-contained, and showing the numbers its files hold. (The slow tier
 * opens the page of a real training in a browser.)
 */
class RunReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private RunDirectory run() throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("quick-test"));
        Files.createDirectories(run.samples());
        Files.createDirectories(run.quality());
        DdpmConfig config = ConfigLoader.load(Path.of("config/quick.json"), java.util.Map.of());
        AtomicFiles.writeString(run.config(), ConfigLoader.toJson(config));
        StringBuilder metrics = new StringBuilder();
        for (int step = 50; step <= 200; step += 50) {
            metrics.append(
                            String.format(
                                    "{\"step\":%d,\"epoch\":0,\"loss\":%s,\"lr\":0.003,"
                                            + "\"images_per_second\":200.0,"
                                            + "\"time\":\"2026-01-01T00:00:%02dZ\"}",
                                    step, 1.0 / step, step / 10))
                    .append('\n');
        }
        List<QualityLine> evaluations =
                List.of(
                        BestCheckpointTest.line(100, 150, 5.25),
                        BestCheckpointTest.line(200, 181, 3.125));
        for (QualityLine line : evaluations) {
            metrics.append(JSON.writeValueAsString(line)).append('\n');
        }
        AtomicFiles.writeString(run.metrics(), metrics.toString());
        for (String png :
                List.of(
                        "samples/step-00000100.png",
                        "samples/step-00000200.png",
                        "loss.png",
                        "quality/step-00000200.png")) {
            ImageIO.write(
                    new BufferedImage(40, 20, BufferedImage.TYPE_BYTE_GRAY),
                    "png",
                    run.root().resolve(png).toFile());
        }
        AtomicFiles.writeString(
                run.bestRecord(),
                JSON.writeValueAsString(
                        new BestCheckpoint.Record(
                                200, 0, BestCheckpoint.RULE, evaluations.get(1).eval())));
        return run;
    }

    @Test
    void isOneFileThatLoadsNothingAndRunsNoScript() throws Exception {
        RunDirectory run = run();
        Path page =
                RunReport.write(
                        run,
                        new Machine("cpu()", "a CPU", 2, 8, "Linux", "Java 17", "PyTorch 2.7.1"),
                        new RunReport.Progress(RunReport.State.FINISHED, 200, 200));
        String html = Files.readString(page);
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("<link"), "no style sheets from elsewhere");
        Matcher sources = Pattern.compile("src=\"([^\"]*)\"").matcher(html);
        int images = 0;
        while (sources.find()) {
            assertTrue(sources.group(1).startsWith("data:image/png;base64,"), sources.group(1));
            images++;
        }
        // quality chart, loss chart, 2 previews, the judged images
        assertEquals(5, images);
        assertFalse(html.contains("http://") || html.contains("https://"), "no address elsewhere");
    }

    @Test
    void showsTheNumbersOfItsFilesAndMarksTheBest() throws Exception {
        RunDirectory run = run();
        String html =
                Files.readString(
                        RunReport.write(
                                run,
                                new Machine("cpu()", "a CPU", 2, 8, "Linux", "Java 17", "PyTorch"),
                                new RunReport.Progress(RunReport.State.TRAINING, 200, 1875)));
        assertTrue(html.contains("training: step 200 of 1,875"), "the state");
        assertTrue(
                html.contains("<tr data-step=\"200\" class=\"best\"><td>200</td><td>90.5%</td>"),
                "the best row, highlighted");
        assertTrue(html.contains("<td>75.0%</td>"), "step 100's accuracy");
        assertTrue(html.contains("<td>3.13x</td>") && html.contains("<td>6.250</td>"), "ratio, FD");
        assertTrue(html.contains("best-step\">200<"), "the best checkpoint's step");
        assertTrue(
                html.contains("--checkpoint quick-test:best --n 20 --sampler ddim --steps 10"),
                "the command that measures it again");
        assertTrue(html.contains("<code>0.003</code>"), "the configuration");
        assertTrue(html.contains("(6.3% of the time in training steps)"), "eval share: 2 s of 32");
    }
}
