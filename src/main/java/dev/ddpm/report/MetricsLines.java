package dev.ddpm.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run's {@code metrics.jsonl} holds, read for showing: the logged steps, the in-training
 * evaluations, and the time of every line. A line it cannot read (the last one, cut by a crash) is
 * left out; the training itself repairs the file when it resumes.
 *
 * @param losses the logged steps, in order
 * @param evaluations the in-training evaluations, in order
 * @param times the time of every line that has one, in order
 */
record MetricsLines(List<LossPoint> losses, List<QualityLine> evaluations, List<Instant> times) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A logged step: the mean loss since the previous one, the learning rate, the speed. */
    record LossPoint(long step, double loss, double lr, double imagesPerSecond) {}

    /** The lines of {@code file}; none when there is no file. */
    static MetricsLines read(Path file) throws IOException {
        MetricsLines lines =
                new MetricsLines(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        if (!Files.isRegularFile(file)) {
            return lines;
        }
        for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                JsonNode line = JSON.readTree(text);
                if (line == null || !line.has("step")) {
                    continue;
                }
                if (line.has("eval")) {
                    lines.evaluations.add(JSON.treeToValue(line, QualityLine.class));
                } else if (line.has("loss")) {
                    lines.losses.add(
                            new LossPoint(
                                    line.get("step").asLong(),
                                    line.get("loss").asDouble(),
                                    line.path("lr").asDouble(),
                                    line.path("images_per_second").asDouble()));
                }
                Instant time = Instant.parse(line.path("time").asText());
                lines.times.add(time);
            } catch (JsonProcessingException | DateTimeParseException e) {
                // a line cut short, or one without a time: nothing more to take from it
            }
        }
        return lines;
    }
}
