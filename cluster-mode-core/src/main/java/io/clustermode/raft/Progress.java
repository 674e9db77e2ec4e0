package io.clustermode.raft;

import java.util.ArrayDeque;

/**
 * What a leader knows of one follower's log, and how it is sending to it (thesis §3.5,
 * "nextIndex"/"matchIndex", plus the flow-control states of etcd's raft). Only
 * {@link ProgressTracker} changes it.
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
    /** The leader's tick at which this follower was last heard from (for check-quorum). */
    long lastHeard;
    /** The match index when the previous heartbeat answer came: no change means appends were lost. */
    long matchAtLastHeartbeat = -1;
    /** The highest heartbeat round this follower answered (for ReadIndex). */
    long ackedSequence;
    /** In SNAPSHOT: which snapshot, and the offset the follower expects next. */
    long snapshotIndex;
    long snapshotOffset;
    /** The highest index sent to this follower in this term: in an append, a probe or a snapshot. */
    long sentUpTo;
    /**
     * The follower said, in its last heartbeat answer, that it passes its health checks. False
     * until it says so, and again after a transfer to it failed: an unhealthy leader hands over
     * only to a follower it knows to be healthy and alive.
     */
    boolean healthy;

    /** A follower tracked from tick {@code now} on: it counts as heard from then. */
    Progress(long next, long now) {
        this.next = next;
        this.lastHeard = now;
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

    /** An append or snapshot that reaches {@code index} went out. */
    void sent(long index) {
        sentUpTo = Math.max(sentUpTo, index);
    }

    /**
     * Why a response from this follower in the leader's term cannot be honest: it acknowledges
     * what was never sent to it, or a read round not yet started (thesis §6.4); null when it can
     * be. Believed, such an answer would commit entries no majority holds.
     */
    String refusal(Message message, long readSequence) {
        if (message instanceof Message.AppendResponse m) {
            long claimed = m.success() ? Math.max(m.matchIndex(), m.prevLogIndex()) : m.prevLogIndex();
            if (claimed > sentUpTo) {
                return "acknowledges index " + claimed + ", but only up to " + sentUpTo + " was sent";
            }
            if (!m.success() && m.conflictIndex() > m.prevLogIndex()) {
                return "a conflict at " + m.conflictIndex() + ", after the index it was asked about ("
                        + m.prevLogIndex() + ")";
            }
        } else if (message instanceof Message.HeartbeatResponse m && m.sequence() > readSequence) {
            return "answers heartbeat round " + m.sequence() + ", but only " + readSequence + " began";
        } else if (message instanceof Message.InstallSnapshotResponse m && m.snapshotIndex() > sentUpTo) {
            return "installed a snapshot at " + m.snapshotIndex() + ", but only up to " + sentUpTo + " was sent";
        }
        return null;
    }

    /** Whether the flow control of the current state holds the next append back. */
    boolean paused(int maxInflight) {
        return switch (state) {
            case SNAPSHOT -> true;
            case PROBE -> probeSent;
            case REPLICATE -> inflight.size() >= maxInflight;
        };
    }

    /** Whether a refusal of the append after {@code prevLogIndex} answers an append no longer current. */
    boolean staleRejection(long prevLogIndex) {
        return switch (state) {
            case PROBE -> prevLogIndex != next - 1;
            // An append right after the match point was refused: resend from there, even if
            // a reordered answer makes it look old.
            case REPLICATE -> prevLogIndex < match;
            case SNAPSHOT -> true;
        };
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
