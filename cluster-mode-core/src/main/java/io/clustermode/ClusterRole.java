package io.clustermode;

/**
 * This node's part in the cluster, in the origin's words. The mapping to Raft: the primary is
 * the Raft leader once it has applied the first entry of its term, so that its state machine
 * holds every write acknowledged before it was elected; a secondary is any other member (voter
 * or learner) that knows the leader; inactive is everything else — not a member yet, no leader
 * known (during an election, or cut off from the majority), or a leader in the moment between
 * its election and its first commit.
 */
public enum ClusterRole {
    /** Not (yet) a member, or no primary is known. */
    INACTIVE,
    /** The one node that leads: proposals and linearizable reads go here. */
    PRIMARY,
    /** A member that follows a known primary. */
    SECONDARY
}
