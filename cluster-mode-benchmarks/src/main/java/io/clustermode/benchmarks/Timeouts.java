package io.clustermode.benchmarks;

/**
 * A node's timing setting, as given to {@code bin/cluster-mode node}.
 *
 * @param name       how the report names it ({@code default}, {@code LAN})
 * @param heartbeat  {@code --heartbeat-interval}, milliseconds
 * @param election   {@code --election-timeout}, milliseconds: the minimum; randomized up to twice that
 */
public record Timeouts(String name, int heartbeat, int election) {

    /** The command line's defaults: heartbeat 100 ms, election timeout 1 s. */
    public static final Timeouts DEFAULT = new Timeouts("default", 100, 1000);
    /** The tuned LAN setting of the benchmark issue: heartbeat 50 ms, election timeout 150 ms. */
    public static final Timeouts LAN = new Timeouts("LAN", 50, 150);

    /** A label for tables and plots, e.g. {@code default (100/1000 ms)}. */
    public String label() {
        return name + " (" + heartbeat + "/" + election + " ms)";
    }
}
