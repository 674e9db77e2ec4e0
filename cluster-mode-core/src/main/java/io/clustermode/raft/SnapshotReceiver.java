package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.InstallSnapshot;

import java.io.ByteArrayOutputStream;

/**
 * A follower's receipt of a snapshot its leader sends in chunks (§7): the chunks are joined in
 * order until the last one, and a snapshot larger than the bound is refused, so a faulty peer
 * cannot make a follower buffer without end. Whether a chunk comes from the leader of the
 * current term is the core's check, the same for every message only a leader sends (§5.2).
 *
 * <p>Chunks are joined only when they come from the sender and term that began the snapshot:
 * two leaders may send a snapshot of the same index, term and configuration whose bytes differ
 * (a state machine need not serialize byte for byte alike), and a snapshot joined from both
 * would restore a state nobody had.
 */
final class SnapshotReceiver {

    private final long maxBytes;
    /** The snapshot being received, and its bytes so far; null between snapshots. */
    private SnapshotMeta meta;
    private ByteArrayOutputStream data;
    /** Who sends the snapshot being received, and in which term. */
    private NodeId from;
    private long term;

    SnapshotReceiver(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Why {@code chunk} cannot be honest: it reaches beyond the bound; null when it can be. */
    String refusal(InstallSnapshot chunk) {
        if (chunk.offset() + chunk.chunk().length > maxBytes) {
            return "a snapshot larger than maxSnapshotBytes (" + maxBytes + ")";
        }
        return null;
    }

    /**
     * Takes a chunk. Returns the whole snapshot once its last chunk arrived in order; otherwise
     * null, and {@link #nextOffset} tells the leader where to go on. A chunk at offset 0 starts
     * the snapshot over: the leader may have compacted again, or lost track of this follower.
     */
    Snapshot take(InstallSnapshot chunk) {
        if (chunk.offset() == 0) {
            meta = chunk.meta();
            data = new ByteArrayOutputStream();
            from = chunk.from();
            term = chunk.term();
        }
        if (!continues(chunk) || chunk.offset() != data.size()) {
            return null;
        }
        data.writeBytes(chunk.chunk());
        if (!chunk.done()) {
            return null;
        }
        Snapshot snapshot = new Snapshot(meta, data.toByteArray());
        meta = null;
        data = null;
        from = null;
        return snapshot;
    }

    /**
     * The offset of the next chunk wanted from {@code chunk}'s sender: where the snapshot being
     * received goes on when the chunk belongs to it, else 0 (start over).
     */
    long nextOffset(InstallSnapshot chunk) {
        return continues(chunk) ? data.size() : 0;
    }

    private boolean continues(InstallSnapshot chunk) {
        return meta != null && chunk.meta().equals(meta) && chunk.from().equals(from) && chunk.term() == term;
    }
}
