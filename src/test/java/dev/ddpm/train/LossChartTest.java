package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongToDoubleFunction;
import javax.imageio.ImageIO;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossChartTest {

    @TempDir Path tmp;

    /** A run of 3000 steps logged every 50: the loss falls from about 0.5 to 0.05. */
    private BufferedImage plot(LongToDoubleFunction learningRate) throws IOException {
        MetricsLog log = new MetricsLog(tmp.resolve("metrics.jsonl"), 0);
        for (long step = 50; step <= 3000; step += 50) {
            double loss = 0.05 + 0.45 * Math.exp(-step / 400.0) * (step % 100 == 0 ? 1.1 : 0.9);
            log.append(
                    new MetricsLog.Entry(
                            step, 0, loss, learningRate.applyAsDouble(step), 500, "t"));
        }
        LossChart.write(log.entries(), tmp.resolve("loss.png"));
        return ImageIO.read(tmp.resolve("loss.png").toFile());
    }

    private static int count(BufferedImage image, Color color) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xffffff) == (color.getRGB() & 0xffffff) ? 1 : 0;
            }
        }
        return n;
    }

    private static void assertWhiteChart(BufferedImage image) {
        assertEquals(LossChart.PLOT_WIDTH, image.getWidth());
        assertEquals(LossChart.PLOT_HEIGHT, image.getHeight());
        assertEquals(Color.WHITE.getRGB(), image.getRGB(0, 0));
        assertEquals(
                Color.WHITE.getRGB(), image.getRGB(image.getWidth() - 1, image.getHeight() - 1));
        // the plot area, most of the image, is white too: only lines, points, grid and labels are
        // not
        double white = count(image, Color.WHITE) / (double) (image.getWidth() * image.getHeight());
        assertTrue(white > 0.75, "white share " + white);
    }

    @Test
    void constantLearningRateIsNotDrawn() throws IOException {
        BufferedImage image = plot(step -> 1e-3);

        assertWhiteChart(image);
        assertEquals(0, count(image, LossChart.LEARNING_RATE_COLOR));
    }

    @Test
    void changingLearningRateIsDrawn() throws IOException {
        BufferedImage image = plot(step -> 1e-3 * Math.min(1, step / 500.0));

        assertWhiteChart(image);
        assertTrue(count(image, LossChart.LEARNING_RATE_COLOR) > 200);
    }

    private static List<String> labels(LossChart.LossAxis axis) {
        return axis.refreshTicks(null, null, null, RectangleEdge.LEFT).stream()
                .map(ValueTick::getText)
                .toList();
    }

    private static LossChart.LossAxis axis(double lower, double upper) {
        LossChart.LossAxis axis = new LossChart.LossAxis(LossChart.plainNumbers());
        axis.setRange(lower, upper);
        return axis;
    }

    @Test
    void lossAxisIsLabelledOneTwoFivePerDecade() {
        assertEquals(List.of("0.05", "0.1", "0.2", "0.5"), labels(axis(0.04, 0.6)));
        assertEquals(
                List.of("0.0001", "0.0002", "0.0005", "0.001", "0.002"), labels(axis(9e-5, 0.003)));
    }

    @Test
    void narrowLossAxisIsLabelledAtEveryDigit() {
        assertEquals(List.of("0.3", "0.4"), labels(axis(0.21, 0.49)));
    }

    @Test
    void lossAxisAroundOnePointReachesTheNearestLabels() {
        XYSeries point = new XYSeries("loss");
        point.add(50, 0.057);
        LossChart.LossAxis axis = new LossChart.LossAxis(LossChart.plainNumbers());
        new XYPlot(
                new XYSeriesCollection(point),
                new NumberAxis(),
                axis,
                new XYLineAndShapeRenderer());

        assertEquals(List.of("0.05", "0.06"), labels(axis));
    }

    @Test
    void learningRateTicksAreOneTwoOrFive() {
        assertEquals(0.0002, LossChart.oneTwoFiveAtLeast(0.001 / 5));
        assertEquals(0.0005, LossChart.oneTwoFiveAtLeast(0.00031));
        assertEquals(0.001, LossChart.oneTwoFiveAtLeast(0.0007));
    }

    @Test
    void smoothingFollowsAnExponentialDecayToItsEndsAndDampsASpike() {
        XYSeries decay = new XYSeries("loss");
        for (int i = 0; i < 100; i++) {
            decay.add(50 * (i + 1), 0.5 * Math.exp(-i / 30.0));
        }
        XYSeries smooth = LossChart.smoothed(decay);
        for (int i = 0; i < 100; i++) {
            assertEquals(
                    decay.getY(i).doubleValue(), smooth.getY(i).doubleValue(), 1e-9, "point " + i);
        }

        decay.updateByIndex(50, 10 * decay.getY(50).doubleValue());
        double lifted =
                LossChart.smoothed(decay).getY(50).doubleValue() / smooth.getY(50).doubleValue();
        assertTrue(lifted < 1.3, "a tenfold spike lifts the line by " + lifted);
    }
}
