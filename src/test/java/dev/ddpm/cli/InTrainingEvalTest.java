package dev.ddpm.cli;

import static dev.ddpm.cli.DdpmCommandTest.ddpm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddpm.cli.DdpmCommandTest.Run;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.eval.TrainedClassifier;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.report.BestCheckpoint;
import dev.ddpm.report.Machine;
import dev.ddpm.report.Quality;
import dev.ddpm.report.QualityCheck;
import dev.ddpm.report.ReportWriter;
import dev.ddpm.testing.Slow;
import dev.ddpm.testing.TrainingFixtures;
import dev.ddpm.train.DiffusionTrainer;
import dev.ddpm.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-training evaluation on a real (tiny) training with the real classifier: it measures what
 * {@code ddpm eval} measures on the same weights, and a run stopped and resumed chooses the same
 * best checkpoint as one that was not.
 */
@Slow
class InTrainingEvalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    /**
     * The tiny run (8 steps) evaluated every 2 steps (log-SNR spacing, not the sampler's own), 3
     * images per class, a preview every 4.
     */
    static DdpmConfig config() {
        return TrainingFixtures.tiny(
                Map.of(
                        "train.eval_images_per_class", "3",
                        "train.eval_every_steps", "2",
                        "train.eval_steps", "2",
                        "train.eval_spacing", "logsnr",
                        "train.eval_guidance", "0.5",
                        "train.sample_every_steps", "4",
                        "train.sample_steps", "2"));
    }

    /**
     * Trains {@code run} until {@code stopAt} steps or its end, continuing from its newest
     * checkpoint when it has one, with the listeners {@code ddpm train} adds.
     */
    static TrainingLoop.Outcome train(RunDirectory run, long stopAt) throws Exception {
        TrainedClassifier.get(); // trained (or loaded) once for all tests
        Optional<Path> newest = run.latestCheckpoint();
        try (DiffusionTrainer trainer =
                new DiffusionTrainer(config(), TrainingFixtures.mnist(config()), Device.cpu())) {
            if (newest.isPresent()) {
                trainer.resume(newest.get());
            }
            Files.createDirectories(run.root());
            Files.writeString(run.config(), dev.ddpm.config.ConfigLoader.toJson(config()));
            try (QualityCheck quality =
                    new QualityCheck(
                            trainer,
                            TrainingFixtures.mnist(dev.ddpm.config.DdpmConfig.reference()),
                            run,
                            TrainedClassifier.CACHE,
                            Device.cpu())) {
                return TrainingLoop.forRun(
                                trainer,
                                run,
                                List.of(
                                        quality,
                                        new ReportWriter(run, Machine.describe(Device.cpu()))))
                        .run(stopAt);
            }
        }
    }

    @Test
    void measuresWhatDdpmEvalMeasuresOnTheBestCheckpoint() throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("tiny"));
        train(run, Long.MAX_VALUE);
        BestCheckpoint.Record best = BestCheckpoint.read(run).orElseThrow();
        Quality q = best.eval();

        List<String> args =
                new ArrayList<>(
                        List.of(
                                "eval",
                                "--quiet",
                                "--device",
                                "cpu",
                                "--checkpoint",
                                run.root() + ":best",
                                "--data-dir",
                                TrainingFixtures.mnistDir().toString(),
                                "--classifier",
                                TrainedClassifier.CACHE.toString()));
        args.addAll(Arrays.asList(q.evalOptions().split(" ")));
        Run r = ddpm(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        // eval names its report by the settings, the image count among them
        String name = "best-dpm++2m-2-g0.5-logsnr-seed0-n" + q.imagesPerClass();
        JsonNode report = JSON.readTree(run.root().resolve("eval/" + name + ".json").toFile());
        assertEquals(best.step(), report.get("step").asLong());
        assertEquals(q.accuracy(), report.get("accuracy").asDouble(), "same numbers, exactly");
        assertEquals(JSON.valueToTree(q.accuracyPerClass()), report.get("accuracy_per_digit"));
        assertEquals(q.frechetDistance(), report.get("frechet_distance").asDouble());
        assertEquals(q.frechetDistanceFloor(), report.get("frechet_distance_floor").asDouble());
        String page = Files.readString(run.root().resolve("eval/" + name + ".html"));
        assertTrue(
                page.contains("classified as another class (" + (q.images() - q.correct())),
                "the page counts the misclassified images");
    }

    @Test
    void aRunStoppedAndResumedChoosesTheSameBestCheckpoint() throws Exception {
        RunDirectory whole = new RunDirectory(dir.resolve("whole"));
        RunDirectory resumed = new RunDirectory(dir.resolve("resumed"));
        assertEquals(TrainingLoop.Outcome.COMPLETED, train(whole, Long.MAX_VALUE));
        assertEquals(TrainingLoop.Outcome.STOPPED, train(resumed, 5));
        assertEquals(TrainingLoop.Outcome.COMPLETED, train(resumed, Long.MAX_VALUE));

        assertEquals(evaluations(whole), evaluations(resumed));
        assertEquals(4, evaluations(whole).size(), "steps 2, 4, 6 and 8");
        JsonNode best = withoutTimes(JSON.readTree(whole.bestRecord().toFile()));
        assertEquals(best, withoutTimes(JSON.readTree(resumed.bestRecord().toFile())));
        assertArrayEquals(Files.readAllBytes(whole.best()), Files.readAllBytes(resumed.best()));
    }

    /** The evaluation lines of the run's metrics, without when they ran and how long they took. */
    private static List<JsonNode> evaluations(RunDirectory run) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.metrics())) {
            JsonNode node = JSON.readTree(line);
            if (node.has("eval")) {
                lines.add(withoutTimes(node));
            }
        }
        return lines;
    }

    private static JsonNode withoutTimes(JsonNode node) {
        ObjectNode copy = node.deepCopy();
        copy.remove("time");
        ((ObjectNode) copy.get("eval")).remove("seconds");
        return copy;
    }
}
