package io.clustermode;

/**
 * The command was proposed, but this node lost its primacy (or stopped) before learning
 * whether it was committed: it may or may not have been applied. Only a read can tell;
 * retrying blindly may apply it twice.
 */
public final class IndeterminateOutcomeException extends ClusterException {

    private static final long serialVersionUID = 1L;

    /** @param message why the outcome is unknown */
    public IndeterminateOutcomeException(String message) {
        super(message);
    }
}
