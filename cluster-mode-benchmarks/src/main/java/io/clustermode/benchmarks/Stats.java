package io.clustermode.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * Order statistics of a sample of durations (milliseconds), nearest rank: p99 of 30 trials is
 * the largest. Failed trials are counted beside the sample, never part of it.
 *
 * @param sortedMillis the successful measurements, ascending
 * @param failed       trials that gave no measurement (no result within the bound)
 */
public record Stats(double[] sortedMillis, int failed) {

    /** The statistics of {@code millis} (any order) and {@code failed} failed trials. */
    public static Stats of(List<Double> millis, int failed) {
        return new Stats(millis.stream().mapToDouble(Double::doubleValue).sorted().toArray(), failed);
    }

    /** Successful measurements. */
    public int count() {
        return sortedMillis.length;
    }

    /** All trials: successful and failed. */
    public int trials() {
        return sortedMillis.length + failed;
    }

    /** The nearest-rank percentile {@code p} (0 to 1); NaN for an empty sample. */
    public double percentile(double p) {
        return percentile(sortedMillis, p);
    }

    /** The largest measurement; NaN for an empty sample. */
    public double max() {
        return sortedMillis.length == 0 ? Double.NaN : sortedMillis[sortedMillis.length - 1];
    }

    /** The smallest measurement; NaN for an empty sample. */
    public double min() {
        return sortedMillis.length == 0 ? Double.NaN : sortedMillis[0];
    }

    /** Nearest-rank percentile of an ascending array; NaN when empty. */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    @Override
    public String toString() {
        return "Stats" + Arrays.toString(sortedMillis) + " failed=" + failed;
    }
}
