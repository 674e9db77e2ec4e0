package io.clustermode.benchmarks;

/**
 * The trials of one failover configuration.
 *
 * @param nodes      cluster size
 * @param disruption what happened to the primary
 * @param timeouts   the nodes' timing
 * @param busy       whether a CPU hog ran during the trials
 * @param stats      time until every survivor named the new primary, with failed trials
 * @param pollMillis the mean time of one poll round while waiting (the resolution of a measurement)
 */
public record FailoverResult(int nodes, Disruption disruption, Timeouts timeouts, boolean busy, Stats stats,
                             double pollMillis) {

    /** A short label, e.g. {@code N=3 kill -9}. */
    public String label() {
        return "N=" + nodes + " " + disruption.label();
    }

    /** {@code quiet} or {@code busy}. */
    public String load() {
        return busy ? "busy" : "quiet";
    }
}
