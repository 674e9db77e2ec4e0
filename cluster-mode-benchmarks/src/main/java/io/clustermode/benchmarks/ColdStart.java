package io.clustermode.benchmarks;

import io.clustermode.cli.ClusterInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Cold start: {@code N} node processes started at once on fresh data dirs; the time from the
 * start until every node names the same primary, and, to separate the JVMs' start from the
 * election, the time until the last node answered on its HTTP port at all. A trial without a
 * primary within {@link #BOUND_MILLIS} is failed, counted, never dropped.
 */
public final class ColdStart {

    /** The generous bound of one trial: on a busy machine, starting the JVMs alone takes tens of seconds. */
    public static final long BOUND_MILLIS = 120_000;

    /**
     * The trials of one configuration.
     *
     * @param elected   start to one primary known by all
     * @param listening start to the last node answering
     */
    public record Result(int nodes, Timeouts timeouts, Stats elected, Stats listening) {
    }

    private ColdStart() {
    }

    /** Runs {@code trials} cold starts of {@code nodes} nodes, each under its own directory in {@code dir}. */
    public static Result run(int nodes, Timeouts timeouts, int trials, Path dir, List<String> hosts)
            throws IOException, InterruptedException {
        List<Double> elected = new ArrayList<>();
        List<Double> listening = new ArrayList<>();
        int failed = 0;
        for (int trial = 1; trial <= trials; trial++) {
            double[] times = trial(nodes, timeouts, dir.resolve("trial-" + trial), hosts);
            if (!Double.isNaN(times[0])) {
                listening.add(times[0]);
            }
            if (Double.isNaN(times[1])) {
                failed++;
            } else {
                elected.add(times[1]);
            }
            System.out.printf(Locale.ROOT, "  cold start N=%d %s trial %d/%d: listening %.0f ms, primary known by all %s%n",
                    nodes, timeouts.name(), trial, trials, times[0],
                    Double.isNaN(times[1]) ? "FAILED" : String.format(Locale.ROOT, "%.0f ms", times[1]));
        }
        return new Result(nodes, timeouts, Stats.of(elected, failed), Stats.of(listening, trials - listening.size()));
    }

    /** {last node listening, primary known by all} in ms since the start; NaN where never. */
    private static double[] trial(int nodes, Timeouts timeouts, Path dir, List<String> hosts)
            throws IOException, InterruptedException {
        try (ClusterProcesses cluster = new ClusterProcesses(nodes, timeouts, dir, hosts)) {
            ClusterWatch watch = new ClusterWatch(cluster);
            boolean[] all = new boolean[nodes];
            Arrays.fill(all, true);
            double[] firstAnswer = new double[nodes];
            Arrays.fill(firstAnswer, Double.NaN);
            long start = System.nanoTime();
            cluster.startAll();
            long deadline = start + BOUND_MILLIS * 1_000_000L;
            while (System.nanoTime() < deadline) {
                ClusterInfo[] infos = cluster.poll(500);
                double now = (System.nanoTime() - start) / 1e6;
                for (int i = 0; i < nodes; i++) {
                    if (infos[i] != null && Double.isNaN(firstAnswer[i])) {
                        firstAnswer[i] = now;
                    }
                }
                if (watch.agreement(infos, all, null) != null) {
                    return new double[] {Arrays.stream(firstAnswer).max().orElse(Double.NaN), now};
                }
                Thread.sleep(ClusterWatch.POLL_MILLIS);
            }
            double last = Arrays.stream(firstAnswer).anyMatch(Double::isNaN) ? Double.NaN
                    : Arrays.stream(firstAnswer).max().orElse(Double.NaN);
            return new double[] {last, Double.NaN};
        }
    }
}
