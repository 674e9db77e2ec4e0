package io.clustermode.raft;

import io.clustermode.NodeId;

/**
 * The immediate answer to a proposal: appended at an index, or refused. An appended entry
 * is not yet committed: it is committed when it shows up in
 * {@link Ready#committedEntries()} with the same index and term. If another entry shows up
 * at that index, or leadership is lost first, its fate is unknown to this node.
 */
public sealed interface ProposeResult {

    /** Appended to the leader's log at {@code index} in {@code term}. */
    record Accepted(long index, long term) implements ProposeResult {
    }

    /**
     * Refused; nothing was appended.
     *
     * @param reason     why
     * @param leaderHint the leader this core knows of, when the reason is {@link Reason#NOT_LEADER}; may be null
     */
    record Rejected(Reason reason, NodeId leaderHint) implements ProposeResult {
    }

    /** Why a proposal was refused. */
    enum Reason {
        /** This core is not the leader. */
        NOT_LEADER,
        /** A leadership transfer is under way; proposals wait for the new leader. */
        TRANSFER_IN_PROGRESS,
        /** Another configuration change is not committed yet: one at a time (thesis §4.1). */
        CONFIG_CHANGE_PENDING,
        /** The leader has not committed an entry of its own term yet (needed before a configuration change). */
        LEADER_NOT_READY,
        /** The configuration change does not fit the current configuration. */
        INVALID_CHANGE
    }

    default boolean accepted() {
        return this instanceof Accepted;
    }
}
