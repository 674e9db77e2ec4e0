package io.clustermode;


import java.util.Optional;

/**
 * This node is not the primary (the Raft leader), so it did not take the request; nothing
 * was proposed. Retry on the primary, whose id is given when this node knows it.
 */
public final class NotPrimaryException extends ClusterException {

    private static final long serialVersionUID = 1L;

    private final transient NodeId primary;

    /**
     * @param self    the node that refused
     * @param primary the primary it knows of; null when none
     */
    public NotPrimaryException(NodeId self, NodeId primary) {
        super(self + " is not the primary" + (primary == null ? " and knows none" : "; the primary is " + primary));
        this.primary = primary;
    }

    /** The primary this node knows of, if any. */
    public Optional<NodeId> primary() {
        return Optional.ofNullable(primary);
    }
}
