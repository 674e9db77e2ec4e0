package io.clustermode.raft;

/**
 * The Raft role of a core. Learners are not a role: a learner is a member of the
 * configuration that does not vote, and it is always a {@link #FOLLOWER}.
 */
public enum Role {
    /** Follows a leader, or waits for one. */
    FOLLOWER,
    /** Asks the voters whether it could win an election, without raising its term (thesis §9.6). */
    PRE_CANDIDATE,
    /** Raised its term and asks for votes (§5.2). */
    CANDIDATE,
    /** Replicates its log and decides what is committed (§5.3). */
    LEADER
}
