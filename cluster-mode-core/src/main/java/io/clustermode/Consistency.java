package io.clustermode;

/** How fresh a read must be. */
public enum Consistency {
    /**
     * Reflects every command committed before the read began (ReadIndex: the primary confirms
     * it still leads with a heartbeat round). Any member that knows the primary answers: a
     * secondary asks the primary for the index and answers once it has applied that far.
     */
    LINEARIZABLE,
    /** This node's state as it is now: any member answers at once, possibly behind the primary. */
    STALE
}
