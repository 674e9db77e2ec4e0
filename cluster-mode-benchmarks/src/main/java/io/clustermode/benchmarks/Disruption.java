package io.clustermode.benchmarks;

/** What happens to the primary in a failover trial. */
public enum Disruption {
    /** {@code kill -9}: the process dies; the kernel resets its connections. */
    KILL("kill -9"),
    /** iptables DROP of everything from and to its address: no signal at all. */
    CUT("cut off"),
    /** SIGTERM: a graceful stop, the primary hands leadership over first. */
    HANDOFF("SIGTERM");

    private final String label;

    Disruption(String label) {
        this.label = label;
    }

    /** How tables and plots name it. */
    public String label() {
        return label;
    }
}
