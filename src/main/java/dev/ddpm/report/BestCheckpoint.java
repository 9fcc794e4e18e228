package dev.ddpm.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The best checkpoint of a run by the in-training evaluations, kept as {@code best.safetensors}
 * (never rotated away) with {@code best.json} (its step and numbers) beside it.
 *
 * <p>The rule, applied to the evaluations in the order they happen: {@value #RULE} Accuracies are
 * compared as counts of correctly classified images, so "1 point" is exact. The choice is a fold
 * over the evaluations in {@code metrics.jsonl}, so a resumed run, which keeps the lines up to the
 * step it resumes from, continues the same choice.
 */
public final class BestCheckpoint {

    /** The rule, as the report and the documentation state it. */
    public static final String RULE =
            "an evaluation becomes the best when its accuracy is more than 1 point above the"
                    + " best's, or at most 1 point below it with a lower Frechet ratio (distance /"
                    + " floor); the first evaluation is the best until then.";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What {@code best.json} holds.
     *
     * @param step the step of the weights in {@code best.safetensors}
     * @param epoch its epoch (0-based)
     * @param rule how it was chosen
     * @param eval its in-training evaluation
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Record(long step, int epoch, String rule, Quality eval) {}

    private final RunDirectory run;
    private QualityLine best;

    private BestCheckpoint(RunDirectory run, QualityLine best) {
        this.run = run;
        this.best = best;
    }

    /** The choice the evaluations in {@code history} (in order) make, for run {@code run}. */
    static BestCheckpoint of(RunDirectory run, List<QualityLine> history) {
        BestCheckpoint chosen = new BestCheckpoint(run, null);
        history.forEach(line -> chosen.best = chosen.better(line));
        return chosen;
    }

    /**
     * Whether {@code candidate} replaces {@code best}: more than 1 point more accurate, or at most
     * 1 point less accurate with a strictly lower Frechet ratio.
     */
    static boolean beats(Quality candidate, Quality best) {
        // candidate - best in points, times both image counts: exact
        long difference =
                100L
                        * ((long) candidate.correct() * best.images()
                                - (long) best.correct() * candidate.images());
        long onePoint = (long) best.images() * candidate.images();
        return difference > onePoint
                || (difference >= -onePoint && candidate.frechetRatio() < best.frechetRatio());
    }

    private QualityLine better(QualityLine candidate) {
        return best == null || beats(candidate.eval(), best.eval()) ? candidate : best;
    }

    /** The chosen evaluation, if any. */
    public Optional<QualityLine> best() {
        return Optional.ofNullable(best);
    }

    /**
     * Takes {@code line} into the choice; when it becomes the best, writes {@code snapshot} (the
     * weights it measured) as {@code best.safetensors}, then {@code best.json}, each atomically.
     *
     * @return whether it became the best
     */
    boolean offer(QualityLine line, Supplier<Checkpoint> snapshot) throws IOException {
        if (better(line) != line) {
            return false;
        }
        best = line;
        snapshot.get().write(run.best());
        AtomicFiles.writeString(
                run.bestRecord(),
                JSON.writeValueAsString(new Record(line.step(), line.epoch(), RULE, line.eval()))
                        + System.lineSeparator());
        return true;
    }

    /** {@code best.json} of a run, if it has one. */
    public static Optional<Record> read(RunDirectory run) throws IOException {
        Path file = run.bestRecord();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), Record.class));
    }
}
