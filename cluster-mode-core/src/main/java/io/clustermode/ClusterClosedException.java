package io.clustermode;

/**
 * The node is shut down (closed, or stopped because its storage failed). Requests that
 * were already proposed fail with {@link IndeterminateOutcomeException} instead.
 */
public final class ClusterClosedException extends ClusterException {

    private static final long serialVersionUID = 1L;

    /** @param message which node, and why it is closed */
    public ClusterClosedException(String message) {
        super(message);
    }
}
