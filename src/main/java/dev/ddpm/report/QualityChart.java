package dev.ddpm.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The in-training evaluations against step: accuracy (left axis, percent) and the Frechet ratio to
 * its floor (right axis, lower is better), as a PNG.
 */
final class QualityChart {

    static final int WIDTH = 900;
    static final int HEIGHT = 420;
    private static final Color ACCURACY = new Color(0x2ca02c);
    private static final Color RATIO = new Color(0x9467bd);
    private static final Color GRID = new Color(0xe0e0e0);

    private QualityChart() {}

    static byte[] png(List<QualityLine> evaluations) throws IOException {
        XYSeries accuracy = new XYSeries("accuracy (%)");
        XYSeries ratio = new XYSeries("Frechet distance / floor");
        for (QualityLine line : evaluations) {
            accuracy.add(line.step(), 100 * line.eval().accuracy());
            ratio.add(line.step(), line.eval().frechetRatio());
        }
        NumberAxis steps = new NumberAxis("step");
        steps.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        steps.setNumberFormatOverride(Numbers.plainFormat());
        NumberAxis percent = new NumberAxis("accuracy (%)");
        percent.setAutoRangeIncludesZero(false);
        // a flat curve would otherwise get an axis a hair wide, labelled with the same number
        percent.setAutoRangeMinimumSize(2);
        percent.setLabelPaint(ACCURACY);
        percent.setTickLabelPaint(ACCURACY);
        NumberAxis times = new NumberAxis("Frechet distance / floor");
        times.setAutoRangeIncludesZero(false);
        times.setAutoRangeMinimumSize(0.2);
        times.setLabelPaint(RATIO);
        times.setTickLabelPaint(RATIO);

        XYPlot plot =
                new XYPlot(new XYSeriesCollection(accuracy), steps, percent, renderer(ACCURACY));
        plot.setRangeAxis(1, times);
        plot.setRangeAxisLocation(1, AxisLocation.BOTTOM_OR_RIGHT);
        plot.setDataset(1, new XYSeriesCollection(ratio));
        plot.mapDatasetToRangeAxis(1, 1);
        plot.setRenderer(1, renderer(RATIO));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.GRAY);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);

        JFreeChart chart =
                new JFreeChart(
                        "Quality during training", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setFrame(BlockBorder.NONE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        return out.toByteArray();
    }

    private static XYLineAndShapeRenderer renderer(Color color) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, color);
        r.setSeriesStroke(0, new BasicStroke(2f));
        return r;
    }
}
