package dev.ddpm.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ddpm.common.UserException;
import dev.ddpm.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's {@code metrics.jsonl} (one JSON object per logged step) and its loss curve {@code loss.png}.
 */
final class MetricsLog {

    /** One logged step: the mean loss since the previous log line, and the learning rate in use at the step. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Entry(long step, int epoch, double loss, double lr, double imagesPerSecond, String time) {}

    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);

    // Two appends run together when a newline was lost; such a line is damage, not one entry.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path file;
    private final Path plot;
    private final List<Entry> entries = new ArrayList<>();

    /**
     * Opens the metrics of a run. Lines past {@code resumedStep} (logged after the checkpoint a run
     * resumes from) are dropped, since the resumed run logs those steps again; so is a last line cut short
     * by a crash.
     *
     * @throws UserException when a line other than the last is not an entry
     */
    MetricsLog(Path file, Path plot, long resumedStep) throws IOException {
        this.file = file;
        this.plot = plot;
        if (Files.exists(file)) {
            for (Entry e : read(file)) {
                if (e.step() <= resumedStep) {
                    entries.add(e);
                }
            }
            StringBuilder kept = new StringBuilder();
            for (Entry e : entries) {
                kept.append(JSON.writeValueAsString(e)).append('\n');
            }
            AtomicFiles.writeString(file, kept.toString());
        }
    }

    /**
     * The complete entries of {@code file}. An append ends with its newline, so text after the last newline
     * is an append cut short; a crash can cut only the last line, so any other bad line is damage from
     * elsewhere, which the user must look at.
     */
    private static List<Entry> read(Path file) throws IOException {
        // Decoded leniently: a cut can split a character, and the cut line is dropped anyway.
        String[] lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1);
        int last = lines.length - 1;
        while (last >= 0 && lines[last].isBlank()) {
            last--;
        }
        List<Entry> read = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            Optional<Entry> entry = i < lines.length - 1 ? parse(lines[i]) : Optional.empty();
            if (entry.isPresent()) {
                read.add(entry.get());
            } else if (i < last) {
                throw new UserException(file + ": line " + (i + 1) + " is not a metrics entry, and only the last"
                        + " line can be cut short by a crash; fix or delete that line, then resume");
            } else {
                LOG.warn("{}: dropped the last line, an append cut short by a crash after step {}", file,
                        read.isEmpty() ? 0 : read.get(read.size() - 1).step());
            }
        }
        return read;
    }

    private static Optional<Entry> parse(String line) {
        try {
            return Optional.ofNullable(JSON.readValue(line, Entry.class));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * Adds a line in one write and forces it to disk before returning, so a crash can cut at most the line
     * being written, which opening drops.
     */
    void append(Entry entry) throws IOException {
        ByteBuffer line = ByteBuffer.wrap((JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.force(false);
        }
        entries.add(entry);
    }

    List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /** Redraws {@code loss.png}: loss (log scale) against step. */
    void plot() throws IOException {
        XYSeries series = new XYSeries("training loss");
        for (Entry e : entries) {
            if (e.loss() > 0) {
                series.add(e.step(), e.loss());
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Training loss", "step", "loss",
                new XYSeriesCollection(series), PlotOrientation.VERTICAL, false, false, false);
        LogAxis axis = new LogAxis("loss (log scale)");
        axis.setSmallestValue(1e-4);
        chart.getXYPlot().setRangeAxis(axis);
        AtomicFiles.write(plot, out -> ChartUtils.writeChartAsPNG(out, chart, 800, 500));
    }
}
