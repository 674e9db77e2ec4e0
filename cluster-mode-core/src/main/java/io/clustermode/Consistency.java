package io.clustermode;

/** How fresh a read must be. */
public enum Consistency {
    /**
     * Reflects every command committed before the read began (ReadIndex: the primary confirms
     * it still leads with a heartbeat round). Only the primary answers.
     */
    LINEARIZABLE,
    /** This node's state as it is now: any member answers at once, possibly behind the primary. */
    STALE
}
