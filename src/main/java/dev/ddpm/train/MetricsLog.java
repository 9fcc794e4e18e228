package dev.ddpm.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ddpm.common.UserException;
import dev.ddpm.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's {@code metrics.jsonl}: one JSON object per logged step, appended so that a crash loses
 * at most the line being written. {@link LossChart} draws it.
 */
final class MetricsLog {

    /**
     * One logged step: the mean loss since the previous log line, and the learning rate in use at
     * the step.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Entry(
            long step, int epoch, double loss, double lr, double imagesPerSecond, String time) {}

    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);

    // Two appends run together when a newline was lost; such a line is damage, not one entry.
    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .disable(SerializationFeature.INDENT_OUTPUT)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    /**
     * A line of the file: a logged step, or a line of another kind (an in-training evaluation,
     * written by a listener of another package) kept as it is.
     */
    private record Line(long step, String json, Entry entry) {}

    private final Path file;
    private final List<Entry> entries = new ArrayList<>();

    /**
     * Opens the metrics of a run. Lines past {@code resumedStep} (logged after the checkpoint a run
     * resumes from) are dropped, since the resumed run logs those steps again; so is a last line
     * cut short by a crash.
     *
     * @throws UserException when a line other than the last is not an entry
     */
    MetricsLog(Path file, long resumedStep) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            StringBuilder kept = new StringBuilder();
            for (Line line : read(file)) {
                if (line.step() <= resumedStep) {
                    kept.append(line.json()).append('\n');
                    if (line.entry() != null) {
                        entries.add(line.entry());
                    }
                }
            }
            AtomicFiles.writeString(file, kept.toString());
        }
    }

    /**
     * The complete entries of {@code file}. An append ends with its newline, so text after the last
     * newline is an append cut short; a crash can cut only the last line, so any other bad line is
     * damage from elsewhere, which the user must look at.
     */
    private static List<Line> read(Path file) throws IOException {
        // Decoded leniently: a cut can split a character, and the cut line is dropped anyway.
        String[] lines =
                new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1);
        int last = lines.length - 1;
        while (last >= 0 && lines[last].isBlank()) {
            last--;
        }
        List<Line> read = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            Optional<Line> line = i < lines.length - 1 ? parse(lines[i]) : Optional.empty();
            if (line.isPresent()) {
                read.add(line.get());
            } else if (i < last) {
                throw new UserException(
                        file
                                + ": line "
                                + (i + 1)
                                + " is not a metrics entry, and only the last line can be cut short"
                                + " by a crash; fix or delete that line, then resume");
            } else {
                LOG.warn(
                        "{}: dropped the last line, an append cut short by a crash after step {}",
                        file,
                        read.isEmpty() ? 0 : read.get(read.size() - 1).step());
            }
        }
        return read;
    }

    /**
     * A logged step, or any other JSON object with a whole-number {@code step} and no {@code loss}
     * (a line another listener wrote).
     */
    private static Optional<Line> parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.path("step").canConvertToExactIntegral()) {
                return Optional.empty();
            }
            long step = node.get("step").asLong();
            if (!node.has("loss")) {
                return Optional.of(new Line(step, JSON.writeValueAsString(node), null));
            }
            Entry entry = JSON.treeToValue(node, Entry.class);
            return Optional.of(new Line(step, JSON.writeValueAsString(entry), entry));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * Adds a line in one write and forces it to disk before returning, so a crash can cut at most
     * the line being written, which opening drops.
     */
    void append(Entry entry) throws IOException {
        AtomicFiles.appendLine(file, JSON.writeValueAsString(entry));
        entries.add(entry);
    }

    List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }
}
