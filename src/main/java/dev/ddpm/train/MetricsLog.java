package dev.ddpm.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ddpm.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The run's {@code metrics.jsonl} (one JSON object per logged step) and its loss curve {@code loss.png}.
 */
final class MetricsLog {

    /** One logged step: the mean loss since the previous log line. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Entry(long step, int epoch, double loss, double lr, double imagesPerSecond, String time) {}

    private static final ObjectMapper JSON = JsonMapper.builder().disable(SerializationFeature.INDENT_OUTPUT).build();

    private final Path file;
    private final Path plot;
    private final List<Entry> entries = new ArrayList<>();

    /**
     * Opens the metrics of a run. Lines past {@code resumedStep} (logged after the checkpoint a run
     * resumes from) are dropped, since the resumed run logs those steps again.
     */
    MetricsLog(Path file, Path plot, long resumedStep) throws IOException {
        this.file = file;
        this.plot = plot;
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    Entry e = JSON.readValue(line, Entry.class);
                    if (e.step() <= resumedStep) {
                        entries.add(e);
                    }
                }
            }
            StringBuilder kept = new StringBuilder();
            for (Entry e : entries) {
                kept.append(JSON.writeValueAsString(e)).append('\n');
            }
            AtomicFiles.writeString(file, kept.toString());
        }
    }

    void append(Entry entry) throws IOException {
        entries.add(entry);
        Files.writeString(file, JSON.writeValueAsString(entry) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
