package io.clustermode.spring;

import io.clustermode.Cluster;

/**
 * This node became the cluster's primary. From now until the matching {@link PrimaryRevokedEvent},
 * {@link PrimaryOnly @PrimaryOnly} methods run here.
 */
public final class PrimaryGrantedEvent extends ClusterEvent {

    private static final long serialVersionUID = 1L;

    private final long term;

    /**
     * @param cluster the cluster
     * @param term    the Raft term in which this node is primary
     */
    public PrimaryGrantedEvent(Cluster<?, ?> cluster, long term) {
        super(cluster);
        this.term = term;
    }

    /** The Raft term in which this node is primary. */
    public long term() {
        return term;
    }

    /**
     * The fencing token of this primacy: it equals the term, and grows with every new primary,
     * so an outside resource that remembers the highest token it accepted can refuse a former
     * primary.
     */
    public long fencingToken() {
        return term;
    }

    @Override
    public String toString() {
        return "PrimaryGrantedEvent{node=" + nodeId() + ", term=" + term + "}";
    }
}
