package io.clustermode;


import java.util.Optional;

/**
 * No primary (Raft leader) took the request, so nothing was proposed: this node is not the
 * primary and knows none (or, for a leadership call, is not the primary), or the primary
 * refused while it hands over. Safe to retry, on any member once a primary is known; the
 * primary's id is given when this node knows it.
 */
public final class NotPrimaryException extends ClusterException {

    private static final long serialVersionUID = 1L;

    private final String self;
    private final transient NodeId primary;

    /**
     * @param self    the node that refused
     * @param primary the primary it knows of; null when none
     */
    public NotPrimaryException(NodeId self, NodeId primary) {
        super(null);
        this.self = String.valueOf(self);
        this.primary = primary;
    }

    /** Made when asked: most of these are answered by a retry, never read. */
    @Override
    public String getMessage() {
        return self + " is not the primary" + (primary == null ? " and knows none" : "; the primary is " + primary);
    }

    /** The primary this node knows of, if any. */
    public Optional<NodeId> primary() {
        return Optional.ofNullable(primary);
    }
}
