package io.clustermode.spring;

import io.clustermode.Cluster;
import io.clustermode.NodeId;
import org.springframework.context.ApplicationEvent;

/**
 * A change of this node's standing in its cluster, published as a Spring application event.
 *
 * <p>Events of one cluster are published one at a time and in order, on the cluster's
 * notification thread (or, at shutdown, on the thread that closes the context): a listener
 * that blocks delays the later events. None is lost: every {@link PrimaryGrantedEvent} is
 * followed by a {@link PrimaryRevokedEvent} of the same term — when another node takes over,
 * when the application context closes, and when the node cannot go on. Events are published
 * from the moment the context has started (every singleton exists, so every
 * {@code @EventListener} hears them) until it closes.
 */
public abstract class ClusterEvent extends ApplicationEvent {

    private static final long serialVersionUID = 1L;

    private final transient Cluster<?, ?> cluster;

    /** @param cluster the cluster whose state changed; it is also the event's source */
    protected ClusterEvent(Cluster<?, ?> cluster) {
        super(cluster);
        this.cluster = cluster;
    }

    /** The cluster whose state changed. */
    public Cluster<?, ?> cluster() {
        return cluster;
    }

    /** This node's id. */
    public NodeId nodeId() {
        return cluster.id();
    }
}
