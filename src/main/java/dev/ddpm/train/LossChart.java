package dev.ddpm.train;

import dev.ddpm.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.Range;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The loss curve {@code loss.png} of a run's {@link MetricsLog}. */
final class LossChart {

    static final int PLOT_WIDTH = 900;
    static final int PLOT_HEIGHT = 540;
    static final Color LEARNING_RATE_COLOR = new Color(0xe6550d);
    private static final Color LOSS_COLOR = new Color(0x08519c);
    private static final Color LOGGED_LOSS_COLOR = new Color(0x6baed6 | 0xa0000000, true);
    private static final Color GRID_COLOR = new Color(0xe0e0e0);

    private LossChart() {}

    /**
     * Draws {@code entries} to {@code plot} (a PNG, replaced atomically): the logged losses against
     * step on a log axis, a smoothed line through them, and the learning rate on a second axis when
     * it changes during the run (or in the subtitle when it does not).
     */
    static void write(List<MetricsLog.Entry> entries, Path plot) throws IOException {
        NumberFormat plain = plainNumbers();
        XYSeries logged = new XYSeries("logged loss");
        for (MetricsLog.Entry e : entries) {
            if (e.loss() > 0) {
                logged.add(e.step(), e.loss());
            }
        }
        XYLineAndShapeRenderer markers = new XYLineAndShapeRenderer(false, true);
        markers.setSeriesShape(0, new Ellipse2D.Double(-2, -2, 4, 4));
        markers.setSeriesPaint(0, LOGGED_LOSS_COLOR);

        NumberAxis steps = new NumberAxis("step");
        steps.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        steps.setNumberFormatOverride(plain);
        // The plot draws the dataset with the highest index first: the smoothed line goes over the
        // points.
        XYPlot xy =
                new XYPlot(
                        new XYSeriesCollection(smoothed(logged)),
                        steps,
                        new LossAxis(plain),
                        line(LOSS_COLOR, 2.5f));
        xy.setDataset(1, new XYSeriesCollection(logged));
        xy.setRenderer(1, markers);
        xy.setBackgroundPaint(Color.WHITE);
        xy.setOutlinePaint(Color.GRAY);
        xy.setDomainGridlinePaint(GRID_COLOR);
        xy.setDomainGridlineStroke(new BasicStroke(1f));
        xy.setRangeGridlinePaint(GRID_COLOR);
        xy.setRangeGridlineStroke(new BasicStroke(1f));

        JFreeChart chart = new JFreeChart("Training loss", JFreeChart.DEFAULT_TITLE_FONT, xy, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setFrame(BlockBorder.NONE);
        double[] rates = entries.stream().mapToDouble(MetricsLog.Entry::lr).distinct().toArray();
        if (rates.length > 1) {
            addLearningRate(entries, xy, plain);
        } else if (rates.length == 1) {
            chart.addSubtitle(new TextTitle("learning rate " + plain.format(rates[0])));
        }
        AtomicFiles.write(
                plot, out -> ChartUtils.writeChartAsPNG(out, chart, PLOT_WIDTH, PLOT_HEIGHT));
    }

    /**
     * Numbers as people write them: 0.05, 0.0002, 3000; not 5E-2, 2.0E-4 or 3,000, in whatever
     * locale.
     */
    static NumberFormat plainNumbers() {
        return new DecimalFormat("0.##########", DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    private static void addLearningRate(
            List<MetricsLog.Entry> entries, XYPlot xy, NumberFormat plain) {
        XYSeries rate = new XYSeries("learning rate");
        for (MetricsLog.Entry e : entries) {
            rate.add(e.step(), e.lr());
        }
        NumberAxis axis = new NumberAxis("learning rate");
        // Left to itself the axis packs in as many ticks as the labels' height allows, some twenty
        // here.
        axis.setTickUnit(new NumberTickUnit(oneTwoFiveAtLeast(rate.getMaxY() / 5), plain));
        axis.setLabelPaint(LEARNING_RATE_COLOR);
        axis.setTickLabelPaint(LEARNING_RATE_COLOR);
        xy.setRangeAxis(1, axis);
        xy.setRangeAxisLocation(1, AxisLocation.BOTTOM_OR_RIGHT);
        xy.setDataset(2, new XYSeriesCollection(rate));
        xy.mapDatasetToRangeAxis(2, 1);
        xy.setRenderer(2, line(LEARNING_RATE_COLOR, 1.5f));
    }

    private static XYLineAndShapeRenderer line(Color color, float width) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, color);
        renderer.setSeriesStroke(0, new BasicStroke(width));
        // one path rather than a segment per point: a long run logs thousands, and the plot is
        // redrawn often
        renderer.setDrawSeriesLineAsPath(true);
        return renderer;
    }

    /** The smallest of 1, 2 and 5 times a power of ten that is at least {@code x}. */
    static double oneTwoFiveAtLeast(double x) {
        // valueOf: the shortest decimal of x, so that 0.001 / 5 rounds to 0.0002 and not up from a
        // binary tail
        BigDecimal digit = BigDecimal.valueOf(x).round(new MathContext(1, RoundingMode.CEILING));
        int m = digit.unscaledValue().intValue();
        int mantissa = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
        return BigDecimal.valueOf(mantissa).scaleByPowerOfTen(-digit.scale()).doubleValue();
    }

    /**
     * The logged losses smoothed: at each point, the value of a straight line fitted to the log of
     * the losses in a centred window of 5% of the points (at least 3) on either side, cut short at
     * the ends. In the middle that is the window's geometric mean; at the ends the line follows the
     * trend where a mean would fall behind a falling loss. Unlike an exponential moving average it
     * does not lag. Log, like the axis: one spike does not lift the line.
     */
    static XYSeries smoothed(XYSeries logged) {
        int n = logged.getItemCount();
        // Running sums, so that each window's sums are a difference: the plot is redrawn at every
        // log step,
        // and a long run logs thousands of points. x is counted from the first step to keep the
        // sums small.
        double[] sumX = new double[n + 1];
        double[] sumY = new double[n + 1];
        double[] sumXx = new double[n + 1];
        double[] sumXy = new double[n + 1];
        double first = n == 0 ? 0 : logged.getX(0).doubleValue();
        for (int i = 0; i < n; i++) {
            double x = logged.getX(i).doubleValue() - first;
            double y = Math.log(logged.getY(i).doubleValue());
            sumX[i + 1] = sumX[i] + x;
            sumY[i + 1] = sumY[i] + y;
            sumXx[i + 1] = sumXx[i] + x * x;
            sumXy[i + 1] = sumXy[i] + x * y;
        }
        XYSeries smoothed = new XYSeries("smoothed loss");
        int half = Math.max(3, n / 20);
        for (int i = 0; i < n; i++) {
            int from = Math.max(0, i - half);
            int to = Math.min(n, i + half + 1);
            int count = to - from;
            double meanX = (sumX[to] - sumX[from]) / count;
            double meanY = (sumY[to] - sumY[from]) / count;
            double spread = (sumXx[to] - sumXx[from]) / count - meanX * meanX;
            double covariance = (sumXy[to] - sumXy[from]) / count - meanX * meanY;
            double slope = spread > 0 ? covariance / spread : 0;
            double x = logged.getX(i).doubleValue();
            smoothed.add(x, Math.exp(meanY + slope * (x - first - meanX)));
        }
        return smoothed;
    }

    /**
     * A log axis labelled with plain numbers at 1, 2 and 5 per decade (0.05, 0.1, 0.2, ...), where
     * {@link LogAxis} puts evenly spaced powers such as 10^-1.15, which nobody reads at a glance.
     */
    static final class LossAxis extends LogAxis {
        private static final int[] ONE_TWO_FIVE = {1, 2, 5};
        private static final int[] ONE_TO_NINE = {1, 2, 3, 4, 5, 6, 7, 8, 9};

        LossAxis(NumberFormat labels) {
            super("loss (log scale)");
            setNumberFormatOverride(labels);
        }

        @Override
        protected void autoAdjustRange() {
            super.autoAdjustRange();
            // A flat loss, or a single point, can leave no two ticks between the bounds: widen them
            // to the
            // nearest one-digit values, which are ticks.
            if (ticks(ONE_TO_NINE).size() < 2) {
                setRange(
                        new Range(
                                oneDigit(getLowerBound(), RoundingMode.FLOOR),
                                oneDigit(getUpperBound(), RoundingMode.CEILING)),
                        false,
                        false);
            }
        }

        private static double oneDigit(double value, RoundingMode rounding) {
            return new BigDecimal(value).round(new MathContext(1, rounding)).doubleValue();
        }

        @Override
        public List<ValueTick> refreshTicks(
                Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
            List<Double> values = ticks(ONE_TWO_FIVE);
            // a range within a decade can hold fewer than three of those
            if (values.size() < 3) {
                values = ticks(ONE_TO_NINE);
            }
            List<ValueTick> ticks = new ArrayList<>();
            for (double v : values) {
                // labels to the left of their tick: the loss axis is on the left
                ticks.add(
                        new NumberTick(
                                TickType.MAJOR,
                                v,
                                getNumberFormatOverride().format(v),
                                TextAnchor.CENTER_RIGHT,
                                TextAnchor.CENTER_RIGHT,
                                0));
            }
            return ticks;
        }

        /** The values m·10^k between the bounds, for the mantissas m, in increasing order. */
        List<Double> ticks(int[] mantissas) {
            List<Double> ticks = new ArrayList<>();
            // before the axis has data its range starts at 0
            int lowest =
                    (int) Math.floor(Math.log10(Math.max(getLowerBound(), getSmallestValue())));
            int highest = (int) Math.floor(Math.log10(getUpperBound()));
            for (int k = lowest; k <= highest; k++) {
                for (int m : mantissas) {
                    // exact decimal, so that 5·10^-2 is the same double as the literal 0.05
                    double v = BigDecimal.valueOf(m).scaleByPowerOfTen(k).doubleValue();
                    if (getRange().contains(v)) {
                        ticks.add(v);
                    }
                }
            }
            return ticks;
        }
    }
}
