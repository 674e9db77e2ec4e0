package io.clustermode.raft;

/**
 * Deliberately broken safety rules, for proving that the simulation catches a broken core.
 * Each one switches off one rule. <strong>Never switch one on outside a test</strong>: a core
 * with any canary on loses data and elects two leaders.
 */
public enum Canary {
    /** Grants a vote to a second candidate in the same term (breaks §5.2, "at most one vote per term"). */
    VOTE_TWICE,
    /** Counts a commit with one replica fewer than a majority (breaks §5.3/§5.4). */
    COMMIT_WITHOUT_MAJORITY,
    /** Grants votes without comparing logs (breaks §5.4.1, the election restriction). */
    IGNORE_LOG_IN_VOTE,
    /** Counts votes from learners (breaks thesis §4.2.1: learners do not vote). */
    LEARNER_VOTES,
    /** Leaves the vote out of the hard state, so a restart forgets it (breaks Figure 2, persistent state). */
    FORGET_VOTE,
    /** Answers reads without confirming leadership with a majority (breaks thesis §6.4). */
    READ_WITHOUT_QUORUM,
    /**
     * A follower answers a linearizable read at its own commit index instead of asking the
     * leader for one (breaks thesis §6.4.1: a follower may lag the leader's commit index).
     */
    FOLLOWER_READ_WITHOUT_LEADER,
    /**
     * The leader moves a partition without waiting for its holder: it releases a holder's grant
     * for balance instead of asking it to give it up, and releases a silent holder's grants
     * without waiting for its lease to lapse (breaks CONTRACT.md, "Partitions": two members never
     * hold one partition at the same time).
     */
    PARTITION_GRANT_WITHOUT_LEASE,
    /**
     * A leader says it is ready ({@link StateChange#leaderReady()}: the application may treat it
     * as primary) as soon as it wins, before it has committed an entry of its term — when it may
     * not yet have applied writes its predecessor acknowledged (breaks thesis §6.4's reason for
     * the leader's first entry).
     */
    PRIMARY_BEFORE_TERM_COMMIT,
    /**
     * Breaks the driver, not the core: sends a Ready's messages before its entries and hard state
     * are durable, so a vote or an acknowledgement can promise what a crash then loses (breaks
     * Figure 2, "updated on stable storage before responding to RPCs"). Read by
     * {@code io.clustermode.runtime.ReadyDriver}.
     */
    SEND_BEFORE_DURABLE
}
