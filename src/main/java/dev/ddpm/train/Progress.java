package dev.ddpm.train;

import java.io.PrintStream;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a user watches: on a terminal, one bar per epoch redrawn in place (step, smoothed loss,
 * images/s, ETA); elsewhere (a log file, CI) only the periodic log lines. The loss is known only at
 * log steps (reading it every step would stall the device), so the bar's loss changes at that pace.
 */
final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private static final long REDRAW_NANOS = 250_000_000L;
    private static final int WIDTH = 24;

    private final boolean terminal;
    private final PrintStream out;
    private final int epochs;
    private double smoothedLoss = Double.NaN;
    private int epoch;
    private int batches;
    private int firstBatch;
    private long epochStart;
    private long lastDraw;
    private boolean drawn;

    Progress(boolean terminal, PrintStream out, int epochs) {
        this.terminal = terminal;
        this.out = out;
        this.epochs = epochs;
    }

    static Progress forConsole(int epochs) {
        return new Progress(System.console() != null, System.err, epochs);
    }

    void startEpoch(int epoch, int firstBatch, int batches) {
        this.epoch = epoch;
        this.firstBatch = firstBatch;
        this.batches = batches;
        this.epochStart = System.nanoTime();
        this.lastDraw = 0;
    }

    /** After a step; {@code batchInEpoch} batches of the epoch are done. */
    void onStep(long step, int batchInEpoch, int batchSize) {
        long now = System.nanoTime();
        if (!terminal || (now - lastDraw < REDRAW_NANOS && batchInEpoch < batches)) {
            return;
        }
        lastDraw = now;
        int done = batchInEpoch - firstBatch;
        double seconds = (now - epochStart) / 1e9;
        double perBatch = done > 0 ? seconds / done : 0;
        int filled = (int) ((long) WIDTH * batchInEpoch / batches);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String loss = Double.isNaN(smoothedLoss) ? "  -   " : String.format("%.4f", smoothedLoss);
        out.printf(
                "\repoch %d/%d [%s] %d/%d  step %d  loss %s  %.0f img/s  ETA %s\033[K",
                epoch + 1,
                epochs,
                bar,
                batchInEpoch,
                batches,
                step,
                loss,
                perBatch > 0 ? batchSize / perBatch : 0,
                format(perBatch * (batches - batchInEpoch)));
        out.flush();
        drawn = true;
        if (batchInEpoch == batches) {
            out.println();
            drawn = false;
        }
    }

    /** A log step: the mean loss since the previous one. */
    void onLog(MetricsLog.Entry e, long totalSteps) {
        smoothedLoss = Double.isNaN(smoothedLoss) ? e.loss() : 0.7 * smoothedLoss + 0.3 * e.loss();
        clearLine();
        LOG.info(
                "step {}/{}  epoch {}  loss {}  lr {}  {} img/s",
                e.step(),
                totalSteps,
                e.epoch() + 1,
                String.format("%.5f", e.loss()),
                e.lr(),
                String.format("%.1f", e.imagesPerSecond()));
    }

    /** Clears the bar so that a log line can be printed. */
    void clearLine() {
        if (drawn) {
            out.print("\r\033[K");
            out.flush();
            drawn = false;
        }
    }

    static String format(double seconds) {
        Duration d = Duration.ofSeconds(Math.round(seconds));
        return d.toHours() > 0
                ? String.format("%dh%02dm", d.toHours(), d.toMinutesPart())
                : String.format("%dm%02ds", d.toMinutesPart(), d.toSecondsPart());
    }
}
