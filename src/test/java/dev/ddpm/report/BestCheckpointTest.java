package dev.ddpm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.io.RunDirectory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The documented rule that picks the best checkpoint, at its edges. */
class BestCheckpointTest {

    /** An evaluation of 200 images with {@code correct} right and the given Frechet ratio. */
    static Quality quality(int correct, double ratio) {
        Map<String, Double> perClass = new LinkedHashMap<>();
        for (int c = 0; c < 10; c++) {
            perClass.put(Integer.toString(c), correct / 200.0);
        }
        return new Quality(
                20,
                "ddim",
                10,
                "linspace",
                null,
                0.75,
                0,
                250,
                "ema",
                200,
                correct,
                correct / 200.0,
                perClass,
                "0",
                2.0 * ratio,
                2.0,
                ratio,
                1.0);
    }

    static QualityLine line(long step, int correct, double ratio) {
        return new QualityLine(step, 0, quality(correct, ratio), "2026-01-01T00:00:00Z");
    }

    @Test
    void moreThanOnePointMoreAccurateWinsWhateverItsFrechetRatio() {
        // 200 images: one point is 2 images
        assertTrue(BestCheckpoint.beats(quality(183, 9.0), quality(180, 2.0)), "1.5 points");
        assertFalse(
                BestCheckpoint.beats(quality(182, 9.0), quality(180, 2.0)),
                "exactly 1 point more is within 1 point: the ratio decides");
    }

    @Test
    void withinOnePointTheLowerFrechetRatioWins() {
        assertTrue(BestCheckpoint.beats(quality(178, 1.9), quality(180, 2.0)), "1 point below");
        assertFalse(BestCheckpoint.beats(quality(177, 1.0), quality(180, 2.0)), "1.5 below");
        assertFalse(BestCheckpoint.beats(quality(180, 2.0), quality(180, 2.0)), "a tie keeps");
        assertTrue(BestCheckpoint.beats(quality(182, 1.5), quality(180, 2.0)));
    }

    @Test
    void comparesPointsExactlyBetweenDifferentImageCounts() {
        Quality of300 =
                new Quality(
                        30,
                        "ddim",
                        10,
                        "linspace",
                        null,
                        0,
                        0,
                        250,
                        "ema",
                        300,
                        273,
                        0.91,
                        Map.of("0", 0.91),
                        "0",
                        4,
                        2,
                        2.0,
                        1);
        // 0.9 vs 0.91: exactly one point apart, so the lower ratio decides
        assertTrue(BestCheckpoint.beats(quality(180, 1.0), of300));
        assertFalse(BestCheckpoint.beats(quality(180, 3.0), of300));
    }

    @Test
    void theChoiceIsAFoldSoAPrefixOfTheHistoryGivesTheChoiceAtThatStep() {
        List<QualityLine> history =
                List.of(
                        line(500, 150, 5.0),
                        line(1000, 180, 4.0),
                        line(1500, 179, 3.0),
                        line(2000, 185, 3.5),
                        line(2500, 186, 3.4));
        RunDirectory run = new RunDirectory(Path.of("unused"));
        assertEquals(2500, BestCheckpoint.of(run, history).best().orElseThrow().step());
        assertEquals(
                1500, BestCheckpoint.of(run, history.subList(0, 3)).best().orElseThrow().step());
        assertEquals(
                2000, BestCheckpoint.of(run, history.subList(0, 4)).best().orElseThrow().step());
        assertTrue(BestCheckpoint.of(run, List.of()).best().isEmpty());
    }
}
