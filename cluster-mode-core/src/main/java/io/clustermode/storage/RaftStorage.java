package io.clustermode.storage;

import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.raft.Snapshot;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where a node keeps what Raft needs to survive a restart: the hard state (term, vote,
 * commit), the log, and the latest snapshot.
 *
 * <h2>Threading</h2>
 * Called by the node's event-loop thread only; methods may block on the disk.
 *
 * <h2>Failure</h2>
 * An {@link IOException} from any method means the node cannot know what is durable: the
 * node stops (it must not answer anybody on state it could not persist). {@link #load()}
 * throws {@link StorageCorruptedException} for damage it will not repair silently.
 */
public interface RaftStorage extends Closeable {

    /**
     * Reads what was persisted, once, before any write. A torn tail (a record cut short by a
     * crash in the middle of a write) is dropped and logged; anything else damaged fails.
     */
    StoredState load() throws IOException;

    /**
     * Persists one batch of a {@link io.clustermode.raft.Ready}, durably, in this order: a
     * snapshot from the leader (replacing the whole log), the entries (dropping any stored
     * entries from the first new entry's index on), the hard state. When it returns, all of it
     * survives a crash — except that a hard state differing from the stored one only in its
     * commit index may be skipped: the commit index is not needed for safety (a restarted node
     * learns it again from the leader) and is written with the next change of term or vote.
     *
     * @param snapshot  a snapshot received from the leader, or null
     * @param entries   entries to append, possibly empty
     * @param hardState the new hard state, or null when unchanged
     */
    void persist(Snapshot snapshot, List<Entry> entries, HardState hardState) throws IOException;

    /**
     * Persists a snapshot this node took of its own state machine, durably, and drops the
     * entries it covers.
     */
    void saveSnapshot(Snapshot snapshot) throws IOException;

    /**
     * The id the cluster chose when it was bootstrapped, as this node recorded it; empty until
     * it knows one. Peers whose cluster has another id are refused at the handshake, which keeps
     * two clusters of the same name apart.
     */
    default Optional<String> clusterId() throws IOException {
        return Optional.empty();
    }

    /**
     * Records the cluster id, durably, once: the node then always speaks for that cluster.
     *
     * @throws IllegalStateException when another id is recorded already
     */
    default void recordClusterId(String clusterId) throws IOException {
    }

    /**
     * What {@link #load()} found.
     *
     * @param hardState the last hard state, {@link HardState#EMPTY} for a new store
     * @param snapshot  the latest snapshot, or null
     * @param entries   the entries after the snapshot, contiguous
     */
    record StoredState(HardState hardState, Snapshot snapshot, List<Entry> entries) {
        /** Copies {@code entries}. */
        public StoredState {
            entries = List.copyOf(entries);
        }

        /** Nothing stored yet. */
        public static StoredState empty() {
            return new StoredState(HardState.EMPTY, null, List.of());
        }
    }
}
