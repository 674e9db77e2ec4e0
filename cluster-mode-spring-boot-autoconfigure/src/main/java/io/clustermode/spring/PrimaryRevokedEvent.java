package io.clustermode.spring;

import io.clustermode.Cluster;
import io.clustermode.NodeId;

import java.util.Objects;
import java.util.Optional;

/**
 * This node is no longer the primary it was in {@link #term()}: another node took over, it lost
 * its quorum, the application context is closing, or the node could not go on. Always follows the
 * {@link PrimaryGrantedEvent} of the same term. When it is published,
 * {@link PrimaryOnly @PrimaryOnly} calls are already skipped and runs in progress have been
 * interrupted.
 */
public final class PrimaryRevokedEvent extends ClusterEvent {

    private static final long serialVersionUID = 1L;

    private final long term;
    private final transient Optional<NodeId> newPrimary;
    private final String reason;

    /**
     * @param cluster    the cluster
     * @param term       the term of the primacy that ended (the one granted)
     * @param newPrimary the primary this node knows now, when it knows one
     * @param reason     why, in a few words
     */
    public PrimaryRevokedEvent(Cluster<?, ?> cluster, long term, Optional<NodeId> newPrimary, String reason) {
        super(cluster);
        this.term = term;
        this.newPrimary = Objects.requireNonNull(newPrimary, "newPrimary");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The term of the primacy that ended: the {@link PrimaryGrantedEvent#term()} it follows. */
    public long term() {
        return term;
    }

    /** The primary this node knows now; empty when it knows none (or is leaving). */
    public Optional<NodeId> newPrimary() {
        return newPrimary;
    }

    /** Why primacy ended, in a few words (for logs). */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "PrimaryRevokedEvent{node=" + nodeId() + ", term=" + term + ", newPrimary="
                + newPrimary.map(NodeId::value).orElse("none") + ", reason=" + reason + "}";
    }
}
