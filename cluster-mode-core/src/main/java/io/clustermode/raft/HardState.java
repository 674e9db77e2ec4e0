package io.clustermode.raft;

import io.clustermode.NodeId;

/**
 * What a node must have on disk before it speaks (Figure 2, "persistent state on all
 * servers"): its current term and its vote in that term, plus the commit index, which is not
 * required for safety but lets a restarted node apply what it knows is committed at once.
 *
 * @param term     the latest term this node has seen
 * @param votedFor the candidate it voted for in {@code term}; null when none
 * @param commit   the highest index known to be committed
 */
public record HardState(long term, NodeId votedFor, long commit) {

    /** The state of a node that has never run. */
    public static final HardState EMPTY = new HardState(0, null, 0);
}
