package io.clustermode;

/**
 * Why a request to the cluster failed. Each subclass has one meaning, and says what the
 * caller may do next.
 */
public abstract class ClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected ClusterException(String message) {
        super(message);
    }
}
