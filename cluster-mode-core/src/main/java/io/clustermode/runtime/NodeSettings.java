package io.clustermode.runtime;

import io.clustermode.NodeId;
import io.clustermode.raft.RaftConfig;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RaftNode} runs.
 *
 * @param nodeId            this node's id
 * @param tick              the length of one core tick; election timeout and heartbeat are
 *                          whole numbers of ticks. Default 10 ms.
 * @param heartbeatInterval the leader's heartbeat. Default 100 ms.
 * @param electionTimeout   the base election timeout; randomized up to twice that. Default 1 s.
 *                          At least three heartbeat intervals.
 * @param snapshotEvery     take a snapshot after this many applied entries (bounds the log). Default 10,000.
 * @param snapshotEveryBytes take a snapshot after this many bytes of applied entries, whichever
 *                          comes first: the log is held in memory between snapshots, so large
 *                          commands must not wait for {@code snapshotEvery} of them. Default 64 MiB.
 * @param maxQueuedRequests requests waiting for the event loop, at most; more are refused with
 *                          {@link io.clustermode.OverloadedException}. Default 100,000.
 * @param maxInboxBytes     bytes of inbound messages waiting for the event loop, at most; above
 *                          it the transport stops reading until the loop has worked the inbox
 *                          down to half, so a flood of large messages cannot exhaust the heap.
 *                          Default 64 MiB.
 * @param raft              batching, pipelining and snapshot-chunk settings of the core; its
 *                          tick counts are derived from the durations above
 * @param healthRecovery    how long a node that failed its health checks must pass them before
 *                          it counts as healthy again ({@link RaftNode#reportHealth(boolean)}).
 *                          Default 30 s.
 */
public record NodeSettings(NodeId nodeId, Duration tick, Duration heartbeatInterval, Duration electionTimeout,
                           int snapshotEvery, long snapshotEveryBytes, int maxQueuedRequests, long maxInboxBytes,
                           RaftConfig raft, Duration healthRecovery) {

    public NodeSettings {
        Objects.requireNonNull(nodeId, "nodeId");
        requirePositive("tick", tick);
        requirePositive("heartbeatInterval", heartbeatInterval);
        requirePositive("electionTimeout", electionTimeout);
        if (heartbeatInterval.compareTo(tick) < 0) {
            throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval.toMillis()
                    + " ms) must be at least one tick (" + tick.toMillis() + " ms)");
        }
        if (electionTimeout.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("electionTimeout (" + electionTimeout.toMillis()
                    + " ms) must be at least three heartbeat intervals (" + heartbeatInterval.toMillis() + " ms)");
        }
        if (snapshotEvery <= 0) {
            throw new IllegalArgumentException("snapshotEvery must be positive, was " + snapshotEvery);
        }
        if (snapshotEveryBytes <= 0) {
            throw new IllegalArgumentException("snapshotEveryBytes must be positive, was " + snapshotEveryBytes);
        }
        if (maxQueuedRequests <= 0) {
            throw new IllegalArgumentException("maxQueuedRequests must be positive, was " + maxQueuedRequests);
        }
        if (maxInboxBytes <= 0) {
            throw new IllegalArgumentException("maxInboxBytes must be positive, was " + maxInboxBytes);
        }
        Objects.requireNonNull(raft, "raft");
        requirePositive("healthRecovery", healthRecovery);
    }

    /** The defaults, for a node with this id. */
    public static NodeSettings defaults(NodeId nodeId) {
        return new NodeSettings(nodeId, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1),
                10_000, 64L << 20, 100_000, 64L << 20, RaftConfig.defaults(), Duration.ofSeconds(30));
    }

    public NodeSettings withTimeouts(Duration newTick, Duration heartbeat, Duration election) {
        return new NodeSettings(nodeId, newTick, heartbeat, election, snapshotEvery, snapshotEveryBytes,
                maxQueuedRequests, maxInboxBytes, raft, healthRecovery);
    }

    public NodeSettings withSnapshotEvery(int entries) {
        return new NodeSettings(nodeId, tick, heartbeatInterval, electionTimeout, entries, snapshotEveryBytes,
                maxQueuedRequests, maxInboxBytes, raft, healthRecovery);
    }

    public NodeSettings withSnapshotEveryBytes(long bytes) {
        return new NodeSettings(nodeId, tick, heartbeatInterval, electionTimeout, snapshotEvery, bytes,
                maxQueuedRequests, maxInboxBytes, raft, healthRecovery);
    }

    public NodeSettings withMaxInboxBytes(long bytes) {
        return new NodeSettings(nodeId, tick, heartbeatInterval, electionTimeout, snapshotEvery, snapshotEveryBytes,
                maxQueuedRequests, bytes, raft, healthRecovery);
    }

    public NodeSettings withHealthRecovery(Duration recovery) {
        return new NodeSettings(nodeId, tick, heartbeatInterval, electionTimeout, snapshotEvery, snapshotEveryBytes,
                maxQueuedRequests, maxInboxBytes, raft, recovery);
    }

    /** The core's configuration, with tick counts derived from the durations. */
    RaftConfig coreConfig() {
        int electionTicks = (int) Math.max(1, electionTimeout.toNanos() / tick.toNanos());
        int heartbeatTicks = (int) Math.max(1, heartbeatInterval.toNanos() / tick.toNanos());
        int recoveryTicks = (int) Math.max(1, Math.min(Integer.MAX_VALUE, healthRecovery.toNanos() / tick.toNanos()));
        return raft.withElectionTicks(Math.max(electionTicks, 3 * heartbeatTicks)).withHeartbeatTicks(heartbeatTicks)
                .withHealthRecoveryTicks(recoveryTicks);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
