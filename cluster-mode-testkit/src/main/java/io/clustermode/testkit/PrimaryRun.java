package io.clustermode.testkit;

import io.clustermode.NodeId;

import java.util.Optional;

/**
 * One run of primary-only work in a {@link TestCluster} (see
 * {@link TestCluster#schedulePrimaryOnly}): on which node, with which fencing token, and the
 * stretch of virtual time it occupied — from its start until its work was done or it was
 * interrupted because the node stopped being primary.
 *
 * <p>Not thread-safe: a test cluster runs on the test's thread.
 */
public final class PrimaryRun {

    private final String job;
    private final NodeId node;
    private final long fencingToken;
    private final long startedAt;
    private long remaining;
    private long endedAt = -1;
    private boolean interrupted;

    PrimaryRun(String job, NodeId node, long fencingToken, long startedAt, long duration) {
        this.job = job;
        this.node = node;
        this.fencingToken = fencingToken;
        this.startedAt = startedAt;
        this.remaining = duration;
    }

    /** The job's name, as scheduled. */
    public String job() {
        return job;
    }

    /** The node it ran on. */
    public NodeId node() {
        return node;
    }

    /** The fencing token of the primacy it ran under: the term, as {@code PrimaryExecutor.fencingToken()} gives it. */
    public long fencingToken() {
        return fencingToken;
    }

    /** Virtual time (milliseconds) when it started. */
    public long startedAt() {
        return startedAt;
    }

    /** Virtual time when it ended; empty while it runs. */
    public Optional<Long> endedAt() {
        return endedAt < 0 ? Optional.empty() : Optional.of(endedAt);
    }

    /** Whether it was cut short because its node stopped being primary (or crashed). */
    public boolean interrupted() {
        return interrupted;
    }

    /** Counts one unit of virtual time of work; true when the work is done. */
    boolean work() {
        return --remaining <= 0;
    }

    void end(long at, boolean cut) {
        if (endedAt < 0) {
            endedAt = at;
            interrupted = cut;
        }
    }

    long endOr(long now) {
        return endedAt < 0 ? now : endedAt;
    }

    @Override
    public String toString() {
        return job + " on " + node + " (token " + fencingToken + ") [" + startedAt + ", "
                + (endedAt < 0 ? "running" : endedAt + (interrupted ? " interrupted" : "")) + ")";
    }
}
