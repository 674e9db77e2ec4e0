package io.clustermode;

/** The node has too much work queued and refused this request; nothing was proposed. Retry later. */
public final class OverloadedException extends ClusterException {

    private static final long serialVersionUID = 1L;

    /** @param message what is full */
    public OverloadedException(String message) {
        super(message);
    }
}
