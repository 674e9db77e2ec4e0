package io.clustermode.faults;

import io.clustermode.cli.ClusterInfo;

import java.util.Objects;

/**
 * What one node said of itself in one poll of {@code GET /cluster/info}.
 *
 * @param nodeId   the node's {@code nodeId}
 * @param role     its {@code role}: {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}
 * @param term     its {@code term}
 * @param atNanos  {@link System#nanoTime()} when the answer came
 */
public record InfoSample(String nodeId, String role, long term, long atNanos) {

    public InfoSample {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(role, "role");
    }

    /** The sample of {@code info}, answered at {@code atNanos}. */
    public static InfoSample of(ClusterInfo info, long atNanos) {
        return new InfoSample(info.nodeId(), info.role(), info.term(), atNanos);
    }

    /** Whether the node called itself the primary. */
    public boolean isPrimary() {
        return "PRIMARY".equals(role);
    }
}
