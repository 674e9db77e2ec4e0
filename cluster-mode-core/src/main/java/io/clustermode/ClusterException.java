package io.clustermode;

/**
 * Why a request to the cluster failed. Each subclass has one meaning, and says what the
 * caller may do next.
 */
public abstract class ClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Without a stack trace: these are outcomes, not bugs. They are made on the node's event
     * loop, whose stack says nothing about the caller (whose own stack is in the
     * {@code ExecutionException} or {@code CompletionException} that reports one), and by the
     * thousand when a primary goes away with requests in flight.
     */
    protected ClusterException(String message) {
        super(message, null, false, false);
    }
}
