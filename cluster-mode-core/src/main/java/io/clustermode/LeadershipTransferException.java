package io.clustermode;

/**
 * A hand-over of primacy did not happen: no up-to-date voter could take over, or the one asked
 * did not within the time allowed. This node may still be the primary; retry, or let an
 * election decide.
 */
public final class LeadershipTransferException extends ClusterException {

    private static final long serialVersionUID = 1L;

    /** @param message why no hand-over happened */
    public LeadershipTransferException(String message) {
        super(message);
    }
}
