package io.clustermode;

/**
 * How a member came into the cluster, as far as the node asked knows ({@link Cluster#joinedBy}).
 * The primary that adds a member knows; it tells the other members as they ask who it is, so
 * every member soon knows too. It is kept in memory only: after every member has restarted,
 * nobody knows any more.
 */
public enum JoinedBy {
    /** It bootstrapped the cluster: the lowest id among the first {@code minNodes} nodes that found each other. */
    BOOTSTRAP,
    /** The primary's own discovery named it (a seed, a DNS record, an endpoint of the Kubernetes service). */
    DISCOVERY,
    /**
     * It reached a member through its own discovery (a seed list naming any member, a DNS name, a
     * Kubernetes service the primary does not watch), proved who it is, and asked to be added.
     */
    CONTACT,
    /** This node does not know (it started after the member was added, and nobody who knows told it yet). */
    UNKNOWN
}
