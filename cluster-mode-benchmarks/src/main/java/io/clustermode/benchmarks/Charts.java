package io.clustermode.benchmarks;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The report's plots, drawn with XChart as PNG files: failover time CDFs and replication
 * throughput and latency against concurrency.
 */
public final class Charts {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    private Charts() {
    }

    /**
     * One CDF per result, on one chart. A curve's height is successful trials over all
     * trials: with failed trials it never reaches 1, so they show.
     */
    public static void failoverCdf(String title, List<FailoverResult> results, Path png) throws IOException {
        XYChart chart = chart(title, "time until all survivors know the new primary (ms)", "fraction of trials");
        for (FailoverResult r : results) {
            double[] x = r.stats().sortedMillis();
            if (x.length == 0) {
                continue;
            }
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < x.length; i++) { // a step function: each trial raises the curve at its time
                xs.add(x[i]);
                ys.add(i / (double) r.stats().trials());
                xs.add(x[i]);
                ys.add((i + 1) / (double) r.stats().trials());
            }
            XYSeries series = chart.addSeries(r.label() + " (" + r.stats().trials() + " trials, "
                    + r.stats().failed() + " failed)", xs, ys);
            series.setMarker(SeriesMarkers.NONE);
        }
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setXAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        save(chart, png);
    }

    /** Committed writes per second against clients, one series per API. */
    public static void throughput(List<LoadRow> rows, Path png) throws IOException {
        XYChart chart = chart("Committed writes per second (3 nodes, durable, 100-byte values)", "concurrent clients",
                "writes/s");
        chart.getStyler().setXAxisLogarithmic(true);
        for (String api : apis(rows)) {
            addSeries(chart, api, rows, api, LoadRow::perSecond);
        }
        save(chart, png);
    }

    /** Latency percentiles against clients for one API, log scale. */
    public static void latency(String api, List<LoadRow> rows, Path png) throws IOException {
        XYChart chart = chart("Write latency through the " + api + " API (3 nodes, durable)", "concurrent clients",
                "latency (ms)");
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
        addSeries(chart, "p50", rows, api, LoadRow::p50Millis);
        addSeries(chart, "p99", rows, api, LoadRow::p99Millis);
        addSeries(chart, "p99.9", rows, api, LoadRow::p999Millis);
        save(chart, png);
    }

    private static List<String> apis(List<LoadRow> rows) {
        return rows.stream().map(LoadRow::api).distinct().toList();
    }

    private static void addSeries(XYChart chart, String name, List<LoadRow> rows, String api,
                                  ToDoubleFunction<LoadRow> value) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (LoadRow row : rows) {
            double y = value.applyAsDouble(row);
            if (row.api().equals(api) && y > 0 && !Double.isNaN(y)) {
                xs.add((double) row.clients());
                ys.add(y);
            }
        }
        if (!xs.isEmpty()) {
            chart.addSeries(name, xs, ys);
        }
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y)
                .build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        return chart;
    }

    private static void save(XYChart chart, Path png) throws IOException {
        Files.createDirectories(png.getParent());
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
