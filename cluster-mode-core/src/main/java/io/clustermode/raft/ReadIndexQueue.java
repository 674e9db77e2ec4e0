package io.clustermode.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A leader's pending linearizable reads (thesis §6.4). A read is answered at the commit index
 * it saw when it arrived, once a majority has answered a heartbeat round sent after it
 * arrived; reads that arrive before the leader committed an entry of its own term wait for
 * that first, since only then is its commit index known to be current.
 */
final class ReadIndexQueue {

    private record Pending(long requestId, long index, long sequence) {
    }

    private final ArrayDeque<Long> awaitingTermCommit = new ArrayDeque<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    void awaitTermCommit(long requestId) {
        awaitingTermCommit.add(requestId);
    }

    boolean hasAwaitingTermCommit() {
        return !awaitingTermCommit.isEmpty();
    }

    /** Moves reads that waited for the term's first commit to pending, at {@code index} and round {@code sequence}. */
    void termCommitted(long index, long sequence) {
        while (!awaitingTermCommit.isEmpty()) {
            pending.add(new Pending(awaitingTermCommit.poll(), index, sequence));
        }
    }

    void add(long requestId, long index, long sequence) {
        pending.add(new Pending(requestId, index, sequence));
    }

    /** Confirms every read whose round a majority has answered. */
    void confirm(long quorumSequence, List<ReadState> out) {
        while (!pending.isEmpty() && pending.peekFirst().sequence() <= quorumSequence) {
            Pending read = pending.poll();
            out.add(new ReadState(read.requestId(), read.index(), true));
        }
    }

    /** Leadership is gone: every waiting read fails. */
    void failAll(List<ReadState> out) {
        List<Long> ids = new ArrayList<>(awaitingTermCommit);
        pending.forEach(read -> ids.add(read.requestId()));
        ids.forEach(id -> out.add(new ReadState(id, -1, false)));
        awaitingTermCommit.clear();
        pending.clear();
    }
}
