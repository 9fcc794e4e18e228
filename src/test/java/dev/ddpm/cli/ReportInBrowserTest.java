package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.testing.HeadlessChromium;
import dev.ddpm.testing.Slow;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a real (tiny) training, opened in a real browser (headless Chromium, which {@code
 * .ci/run} installs): no errors, every image and chart loaded, and the numbers on the page those of
 * {@code metrics.jsonl}. The screenshot is left in {@code target/report-screenshot.png}.
 */
@Slow
class ReportInBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WIDTH = 1200;

    @TempDir Path dir;

    @Test
    void showsTheRunWithoutErrorsWithEveryImageAndTheNumbersOfItsMetrics() throws Exception {
        Path binary = HeadlessChromium.binary().orElse(null);
        Assumptions.assumeTrue(
                binary != null,
                "no chromium on the PATH: install it (apt-get install -y chromium; .ci/run does)");
        RunDirectory run = new RunDirectory(dir.resolve("tiny"));
        InTrainingEvalTest.train(run, Long.MAX_VALUE);
        List<JsonNode> evaluations = new ArrayList<>();
        for (String line : Files.readAllLines(run.metrics())) {
            JsonNode node = JSON.readTree(line);
            if (node.has("eval")) {
                evaluations.add(node);
            }
        }

        try (HeadlessChromium browser =
                new HeadlessChromium(
                        binary, Files.createDirectories(dir.resolve("profile")), WIDTH, 900)) {
            browser.open(run.report());
            assertEquals(List.of(), browser.errors(), "what the page reported as errors");

            JsonNode images =
                    browser.evaluate(
                            "Array.from(document.images).map(i => [i.className, i.complete,"
                                    + " i.naturalWidth, i.naturalHeight])");
            // the quality and loss charts, the previews of steps 4 and 8, the judged images
            assertEquals(5, images.size(), images.toString());
            for (JsonNode image : images) {
                assertTrue(
                        image.get(1).asBoolean()
                                && image.get(2).asInt() > 0
                                && image.get(3).asInt() > 0,
                        "loaded and decoded: " + image);
            }

            JsonNode rows =
                    browser.evaluate(
                            "Array.from(document.querySelectorAll('#quality-table tbody tr'))"
                                    + ".map(tr => Array.from(tr.cells).map(c => c.textContent))");
            assertEquals(evaluations.size(), rows.size());
            for (int i = 0; i < rows.size(); i++) {
                JsonNode line = evaluations.get(i);
                JsonNode eval = line.get("eval");
                JsonNode row = rows.get(i);
                assertEquals(line.get("step").asText(), row.get(0).asText());
                assertEquals(percent(eval.get("accuracy").asDouble()), row.get(1).asText());
                String worst = eval.get("worst_class").asText();
                assertEquals(
                        worst
                                + ": "
                                + percent(eval.get("accuracy_per_class").get(worst).asDouble()),
                        row.get(2).asText());
                assertEquals(
                        decimals(eval.get("frechet_distance").asDouble(), 3), row.get(3).asText());
                assertEquals(
                        decimals(eval.get("frechet_distance_floor").asDouble(), 3),
                        row.get(4).asText());
                assertEquals(
                        decimals(eval.get("frechet_ratio").asDouble(), 2) + "x",
                        row.get(5).asText());
            }

            JsonNode perClass =
                    browser.evaluate(
                            "Array.from(document.querySelectorAll('#latest-eval .per-class tbody"
                                    + " tr')).map(tr => [tr.cells[0].textContent,"
                                    + " tr.cells[1].textContent])");
            JsonNode last =
                    evaluations.get(evaluations.size() - 1).get("eval").get("accuracy_per_class");
            assertEquals(10, perClass.size());
            for (JsonNode row : perClass) {
                assertEquals(
                        percent(last.get(row.get(0).asText()).asDouble()), row.get(1).asText());
            }
            long bestStep = JSON.readTree(run.bestRecord().toFile()).get("step").asLong();
            assertEquals(
                    Long.toString(bestStep),
                    browser.evaluate("document.querySelector('.best-step').textContent").asText());
            assertEquals(
                    Long.toString(bestStep),
                    browser.evaluate(
                                    "document.querySelector('#quality-table tr.best').dataset.step")
                            .asText());

            byte[] png = browser.screenshot();
            Files.write(Path.of("target", "report-screenshot.png"), png);
            BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(WIDTH, shot.getWidth());
            assertTrue(shot.getHeight() > 1500, "the whole page: " + shot.getHeight());
            assertTrue(colours(shot) > 50, "a page with charts and digits, not a blank one");
            assertEquals(List.of(), browser.errors(), "errors after the screenshot");
        }
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String decimals(double v, int places) {
        return String.format(Locale.ROOT, "%." + places + "f", v);
    }

    private static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 7) {
            for (int x = 0; x < image.getWidth(); x += 7) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
