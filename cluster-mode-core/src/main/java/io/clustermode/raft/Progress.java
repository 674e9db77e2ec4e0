package io.clustermode.raft;

import java.util.ArrayDeque;

/**
 * What a leader knows of one follower's log, and how it is sending to it (thesis §3.5,
 * "nextIndex"/"matchIndex", plus the flow-control states of etcd's raft).
 */
final class Progress {

    /** How the leader sends to this follower. */
    enum State {
        /** Where the logs meet is not known: one append at a time, waiting for the answer. */
        PROBE,
        /** The logs meet: appends are pipelined, up to the in-flight limit. */
        REPLICATE,
        /** The follower needs entries that were compacted: a snapshot is on its way. */
        SNAPSHOT
    }

    long match;
    long next;
    State state = State.PROBE;
    /** In PROBE: an append is out and unanswered. */
    boolean probeSent;
    /** In REPLICATE: the last index of each append in flight, oldest first. */
    final ArrayDeque<Long> inflight = new ArrayDeque<>();
    /** Heard from since the last check-quorum round. */
    boolean recentActive;
    /** The match index when the previous heartbeat answer came: no change means appends were lost. */
    long matchAtLastHeartbeat = -1;
    /** The highest heartbeat round this follower answered (for ReadIndex). */
    long ackedSequence;
    /** In SNAPSHOT: which snapshot, and the offset the follower expects next. */
    long snapshotIndex;
    long snapshotOffset;

    Progress(long next) {
        this.next = next;
        this.recentActive = true;
    }

    void becomeProbe(long newNext) {
        state = State.PROBE;
        next = Math.max(newNext, match + 1);
        probeSent = false;
        inflight.clear();
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        next = match + 1;
        inflight.clear();
    }

    void becomeSnapshot(long index) {
        state = State.SNAPSHOT;
        snapshotIndex = index;
        snapshotOffset = 0;
        inflight.clear();
    }

    boolean inflightFull(int max) {
        return inflight.size() >= max;
    }

    void freeInflightUpTo(long index) {
        while (!inflight.isEmpty() && inflight.peekFirst() <= index) {
            inflight.pollFirst();
        }
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next;
    }
}
