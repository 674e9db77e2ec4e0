package io.clustermode.benchmarks;

import io.clustermode.faults.nemesis.Partitions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Failover trials on running node processes: before each trial the cluster is healthy
 * (all nodes name one primary, equal commit indexes); then the primary is disrupted
 * ({@link Disruption}), and the trial's time runs until every surviving node names the same
 * new primary. Afterwards the cluster is made whole again: a killed or stopped node restarts
 * from its data dir, a cut-off one is healed and must follow the new primary. A trial without
 * agreement within {@link #BOUND_MILLIS} is failed, counted, never dropped.
 */
public final class FailoverTrials {

    /** The generous bound of one trial. */
    public static final long BOUND_MILLIS = 30_000;
    private static final long HEALTHY_MILLIS = 120_000;

    private final ClusterProcesses cluster;
    private final ClusterWatch watch;
    private final Partitions partitions;
    private double meanRoundMillis;

    /**
     * Trials on {@code cluster}; {@code partitions} (null when there is no network namespace)
     * cut nodes off for {@link Disruption#CUT}.
     */
    public FailoverTrials(ClusterProcesses cluster, Partitions partitions) {
        this.cluster = cluster;
        this.watch = new ClusterWatch(cluster);
        this.partitions = partitions;
    }

    /** Runs {@code trials} trials of {@code disruption}, printing one line per trial. */
    public Stats run(Disruption disruption, int trials, String label) throws IOException, InterruptedException {
        List<Double> times = new ArrayList<>();
        int failed = 0;
        double rounds = 0;
        for (int trial = 1; trial <= trials; trial++) {
            String old = watch.awaitHealthy(HEALTHY_MILLIS, 300);
            Double millis = old == null ? null : trial(disruption, cluster.indexOf(old));
            if (millis == null) {
                failed++;
            } else {
                times.add(millis);
                rounds += watch.lastRoundMillis();
            }
            System.out.printf(Locale.ROOT, "  %s trial %d/%d: %s%n", label, trial, trials,
                    millis == null ? (old == null ? "FAILED (cluster not healthy)" : "FAILED (no new primary)")
                            : String.format(Locale.ROOT, "%.1f ms (a poll round every %.1f ms)", millis,
                                    watch.lastRoundMillis()));
        }
        meanRoundMillis = times.isEmpty() ? Double.NaN : rounds / times.size();
        return Stats.of(times, failed);
    }

    /** The mean poll round of the last {@link #run}'s successful trials, milliseconds. */
    public double meanRoundMillis() {
        return meanRoundMillis;
    }

    private Double trial(Disruption disruption, int victim) throws IOException, InterruptedException {
        boolean[] survivors = new boolean[cluster.size()];
        Arrays.fill(survivors, true);
        survivors[victim] = false;
        String old = cluster.nodes().get(victim).id();
        long start = System.nanoTime();
        disrupt(disruption, victim);
        if (disruption == Disruption.CUT) {
            // The rules are certainly in force once iptables-restore has returned; the clock starts
            // then, not when its process was forked (that alone takes milliseconds).
            start = System.nanoTime();
        }
        String fresh = watch.awaitAgreement(survivors, old, BOUND_MILLIS);
        long end = System.nanoTime();
        restore(disruption, victim);
        return fresh == null ? null : (end - start) / 1e6;
    }

    private void disrupt(Disruption disruption, int victim) {
        switch (disruption) {
            case KILL:
                cluster.kill9(victim);
                break;
            case HANDOFF:
                cluster.terminate(victim);
                break;
            case CUT:
                partitions.isolate(cluster.nodes().get(victim).host());
                break;
            default:
                throw new IllegalArgumentException(disruption.name());
        }
    }

    private void restore(Disruption disruption, int victim) throws IOException, InterruptedException {
        if (disruption == Disruption.CUT) {
            partitions.heal();
            return;
        }
        cluster.awaitExit(victim, 15_000);
        cluster.start(victim);
    }
}
