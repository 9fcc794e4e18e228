package dev.ddpm.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code report.html} of a run: one self-contained page (images inlined, no scripts, nothing loaded
 * from elsewhere) that shows the run at a glance: its state, the best checkpoint, the quality
 * measured while training, the loss and learning rate, the preview grids, the latest evaluation per
 * class, the configuration, and the machine and time. Everything but the machine is read from the
 * run folder, so the page shows what the files hold.
 */
public final class RunReport {

    /** Preview grids shown at most: evenly chosen over the run, the last always among them. */
    static final int MAX_PREVIEWS = 12;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STEP_PNG = Pattern.compile("step-(\\d+)\\.png");

    /** Whether the run is training, has done all its steps, or was stopped before. */
    public enum State {
        TRAINING,
        FINISHED,
        STOPPED
    }

    /**
     * Where the run stands.
     *
     * @param state training, finished or stopped
     * @param step steps done
     * @param totalSteps steps of the whole run
     */
    public record Progress(State state, long step, long totalSteps) {}

    private final RunDirectory run;
    private final MetricsLines metrics;
    private final List<QualityLine> evaluations;

    private RunReport(RunDirectory run) throws IOException {
        this.run = run;
        this.metrics = MetricsLines.read(run.metrics());
        this.evaluations = metrics.evaluations();
    }

    /** Writes {@code report.html} of {@code run} atomically and returns its path. */
    public static Path write(RunDirectory run, Machine machine, Progress progress)
            throws IOException {
        RunReport report = new RunReport(run);
        AtomicFiles.writeString(run.report(), report.render(machine, progress));
        return run.report();
    }

    String render(Machine machine, Progress progress) throws IOException {
        String name = run.root().getFileName().toString();
        StringBuilder h = new StringBuilder();
        h.append("<h1>Run ").append(Html.escape(name)).append("</h1>\n<p class=\"sub\">");
        h.append(
                switch (progress.state()) {
                    case FINISHED -> "finished: " + Numbers.count(progress.step()) + " steps";
                    case STOPPED ->
                            "stopped at step "
                                    + Numbers.count(progress.step())
                                    + " of "
                                    + Numbers.count(progress.totalSteps())
                                    + " (continue with <code>./ddpm train --resume "
                                    + Html.escape(name)
                                    + "</code>)";
                    case TRAINING ->
                            "training: step "
                                    + Numbers.count(progress.step())
                                    + " of "
                                    + Numbers.count(progress.totalSteps());
                });
        h.append("; this page was written ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" and is rewritten at every checkpoint</p>\n");
        best(h, name);
        quality(h);
        loss(h);
        previews(h);
        latestEvaluation(h);
        evalPages(h);
        configuration(h);
        machineAndTime(h, machine);
        return Html.page("ddpm run " + name, h.toString());
    }

    private void best(StringBuilder h, String name) throws IOException {
        Optional<BestCheckpoint.Record> best = BestCheckpoint.read(run);
        h.append("<h2 id=\"best\">Best checkpoint</h2>\n");
        if (best.isEmpty()) {
            h.append("<p>None yet: the in-training evaluation chooses it")
                    .append(" (<code>train.eval_images_per_class</code> &gt; 0).</p>\n");
            return;
        }
        BestCheckpoint.Record b = best.get();
        Quality q = b.eval();
        h.append("<div class=\"box\"><p><code>")
                .append(Html.escape(run.best().toString()))
                .append("</code>: step <b class=\"best-step\">")
                .append(b.step())
                .append("</b> (epoch ")
                .append(b.epoch() + 1)
                .append("), ")
                .append(Numbers.percent(q.accuracy()))
                .append(" correct, worst class ")
                .append(Html.escape(q.worstClass()))
                .append(" at ")
                .append(Numbers.percent(q.worstClassAccuracy()))
                .append(", Frechet distance ")
                .append(Numbers.distance(q.frechetDistance()))
                .append(" (")
                .append(Numbers.ratio(q.frechetRatio()))
                .append(" its floor).</p>\n<p>Chosen by the rule: ")
                .append(Html.escape(b.rule()))
                .append("</p>\n<pre>./ddpm sample --checkpoint ")
                .append(Html.escape(name))
                .append(RunDirectory.BEST_SUFFIX)
                .append(" --all-digits\n./ddpm eval --checkpoint ")
                .append(Html.escape(name))
                .append(RunDirectory.BEST_SUFFIX)
                .append(' ')
                .append(Html.escape(q.evalOptions()))
                .append("   # measures these numbers again</pre></div>\n");
    }

    private void quality(StringBuilder h) throws IOException {
        h.append("<h2 id=\"quality\">Quality during training</h2>\n");
        if (evaluations.isEmpty()) {
            h.append("<p>No evaluation yet.</p>\n");
            return;
        }
        long bestStep = BestCheckpoint.read(run).map(BestCheckpoint.Record::step).orElse(-1L);
        h.append("<div class=\"figure\">")
                .append(Html.img(QualityChart.png(evaluations), "quality against step", "chart"))
                .append("</div>\n");
        h.append("<table id=\"quality-table\"><thead><tr><th>step</th><th>accuracy</th>")
                .append("<th>worst class</th><th>Frechet distance</th><th>floor</th>")
                .append("<th>distance / floor</th><th>seconds</th></tr></thead>\n<tbody>\n");
        for (QualityLine line : evaluations) {
            Quality q = line.eval();
            h.append("<tr data-step=\"")
                    .append(line.step())
                    .append('"')
                    .append(line.step() == bestStep ? " class=\"best\"" : "")
                    .append("><td>")
                    .append(line.step())
                    .append("</td><td>")
                    .append(Numbers.percent(q.accuracy()))
                    .append("</td><td>")
                    .append(Html.escape(q.worstClass()))
                    .append(": ")
                    .append(Numbers.percent(q.worstClassAccuracy()))
                    .append("</td><td>")
                    .append(Numbers.distance(q.frechetDistance()))
                    .append("</td><td>")
                    .append(Numbers.distance(q.frechetDistanceFloor()))
                    .append("</td><td>")
                    .append(Numbers.ratio(q.frechetRatio()))
                    .append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f", q.seconds()))
                    .append("</td></tr>\n");
        }
        Quality first = evaluations.get(0).eval();
        h.append("</tbody></table>\n<p class=\"sub\">Each row: ")
                .append(Html.escape(first.settings()))
                .append("; the highlighted row is the best checkpoint.</p>\n");
    }

    private void loss(StringBuilder h) throws IOException {
        h.append("<h2 id=\"loss\">Loss and learning rate</h2>\n");
        if (!Files.isRegularFile(run.lossPlot())) {
            h.append("<p>Nothing logged yet.</p>\n");
            return;
        }
        h.append("<div class=\"figure\">")
                .append(
                        Html.img(
                                Files.readAllBytes(run.lossPlot()),
                                "training loss and learning rate against step",
                                "chart"))
                .append("</div>\n");
        List<MetricsLines.LossPoint> losses = metrics.losses();
        if (!losses.isEmpty()) {
            MetricsLines.LossPoint last = losses.get(losses.size() - 1);
            h.append("<p class=\"sub\" id=\"last-loss\">last logged: step ")
                    .append(last.step())
                    .append(", loss ")
                    .append(String.format(Locale.ROOT, "%.5f", last.loss()))
                    .append(", learning rate ")
                    .append(Numbers.plain(last.lr()))
                    .append(", ")
                    .append(String.format(Locale.ROOT, "%.1f", last.imagesPerSecond()))
                    .append(" images/s</p>\n");
        }
    }

    private void previews(StringBuilder h) throws IOException {
        h.append("<h2 id=\"previews\">Preview grids over the run</h2>\n");
        List<Path> grids = stepFiles(run.samples());
        if (grids.isEmpty()) {
            h.append("<p>None yet (<code>train.sample_every_steps</code>).</p>\n");
            return;
        }
        h.append("<div class=\"grids\">\n");
        for (Path grid : spread(grids, MAX_PREVIEWS)) {
            h.append("<figure>")
                    .append(
                            Html.img(
                                    Files.readAllBytes(grid),
                                    "samples at " + grid.getFileName(),
                                    "grid"))
                    .append("<figcaption>step ")
                    .append(stepOf(grid))
                    .append("</figcaption></figure>\n");
        }
        h.append("</div>\n");
    }

    private void latestEvaluation(StringBuilder h) throws IOException {
        if (evaluations.isEmpty()) {
            return;
        }
        QualityLine last = evaluations.get(evaluations.size() - 1);
        Path grid = run.quality().resolve(String.format("step-%08d.png", last.step()));
        h.append(
                EvalSection.render(
                        "latest-eval",
                        "Latest evaluation, step " + Numbers.count(last.step()),
                        last.eval(),
                        Files.isRegularFile(grid) ? Files.readAllBytes(grid) : null));
    }

    private void evalPages(StringBuilder h) throws IOException {
        Path folder = run.root().resolve("eval");
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> pages;
        try (Stream<Path> files = Files.list(folder)) {
            pages = files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
        if (pages.isEmpty()) {
            return;
        }
        h.append("<h2 id=\"eval-pages\">Evaluations by <code>ddpm eval</code></h2>\n<ul>\n");
        for (Path page : pages) {
            String relative = "eval/" + page.getFileName();
            h.append("<li><a href=\"")
                    .append(Html.escape(relative))
                    .append("\">")
                    .append(Html.escape(relative))
                    .append("</a></li>\n");
        }
        h.append("</ul>\n");
    }

    private void configuration(StringBuilder h) throws IOException {
        h.append("<h2 id=\"configuration\">Configuration</h2>\n");
        if (!Files.isRegularFile(run.config())) {
            h.append("<p>No <code>config.json</code>.</p>\n");
            return;
        }
        JsonNode config = JSON.readTree(run.config().toFile());
        h.append("<div class=\"grids\">\n");
        for (Iterator<Map.Entry<String, JsonNode>> sections = config.fields();
                sections.hasNext(); ) {
            Map.Entry<String, JsonNode> section = sections.next();
            h.append("<table><thead><tr><th class=\"text\" colspan=\"2\">")
                    .append(Html.escape(section.getKey()))
                    .append("</th></tr></thead><tbody>\n");
            for (Iterator<Map.Entry<String, JsonNode>> keys = section.getValue().fields();
                    keys.hasNext(); ) {
                Map.Entry<String, JsonNode> key = keys.next();
                h.append("<tr><td class=\"text\">")
                        .append(Html.escape(key.getKey()))
                        .append("</td><td class=\"text\"><code>")
                        .append(Html.escape(key.getValue().toString().replace("\"", "")))
                        .append("</code></td></tr>\n");
            }
            h.append("</tbody></table>\n");
        }
        h.append("</div>\n");
    }

    private void machineAndTime(StringBuilder h, Machine m) throws IOException {
        double trainingSeconds = trainingSeconds();
        double evalSeconds = evaluations.stream().mapToDouble(l -> l.eval().seconds()).sum();
        h.append(
                "<h2 id=\"machine\">Hardware and time</h2>\n<table id=\"machine-table\"><tbody>\n");
        row(h, "device", m.device());
        row(h, "processor", m.cpu() + ", " + m.cores() + " cores available");
        if (m.memoryGib() > 0) {
            row(h, "memory", String.format(Locale.ROOT, "%.1f GiB", m.memoryGib()));
        }
        row(h, "system", m.os() + "; " + m.java() + "; " + m.engine());
        List<Instant> times = metrics.times();
        if (times.size() > 1) {
            row(
                    h,
                    "first to last line of metrics.jsonl",
                    duration(Duration.between(times.get(0), times.get(times.size() - 1)))
                            + " (wall time, over every session)");
        }
        row(h, "in training steps", duration(seconds(trainingSeconds)));
        if (!evaluations.isEmpty()) {
            row(
                    h,
                    "in evaluations",
                    duration(seconds(evalSeconds))
                            + (trainingSeconds > 0
                                    ? String.format(
                                            Locale.ROOT,
                                            " (%.1f%% of the time in training steps)",
                                            100 * evalSeconds / trainingSeconds)
                                    : ""));
        }
        h.append("</tbody></table>\n");
    }

    /** The time the logged steps took: at each log line, its images over its images per second. */
    private double trainingSeconds() throws IOException {
        int batch =
                Files.isRegularFile(run.config())
                        ? JSON.readTree(run.config().toFile())
                                .path("train")
                                .path("batch_size")
                                .asInt(0)
                        : 0;
        double seconds = 0;
        long previous = 0;
        for (MetricsLines.LossPoint p : metrics.losses()) {
            if (p.imagesPerSecond() > 0) {
                seconds += (p.step() - previous) * (double) batch / p.imagesPerSecond();
            }
            previous = p.step();
        }
        return seconds;
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><td class=\"text\">")
                .append(Html.escape(key))
                .append("</td><td class=\"text\">")
                .append(Html.escape(value))
                .append("</td></tr>\n");
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static String duration(Duration d) {
        long s = d.toSeconds();
        return s >= 3600
                ? String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
    }

    /** {@code step-*.png} of a folder, in step order. */
    private static List<Path> stepFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> stepOf(p) >= 0)
                    .sorted(Comparator.comparingLong(RunReport::stepOf))
                    .toList();
        }
    }

    /** The step of {@code step-00000500.png}, or -1. */
    private static long stepOf(Path png) {
        Matcher m = STEP_PNG.matcher(png.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** At most {@code n} of {@code all}, evenly spread, the first and the last among them. */
    static <T> List<T> spread(List<T> all, int n) {
        if (all.size() <= n) {
            return all;
        }
        List<T> chosen = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chosen.add(all.get((int) Math.round(i * (all.size() - 1) / (double) (n - 1))));
        }
        return chosen;
    }
}
