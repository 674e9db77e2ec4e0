package io.clustermode.storage;

import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.raft.Snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;

/**
 * A {@link RaftStorage} in memory, with the same semantics as {@link FileStorage} but nothing
 * survives the process: for tests, and for nodes that only take part in elections and keep no
 * state across restarts.
 *
 * <p>Unlike {@link FileStorage}, {@link #load()} may be called at any time; it returns what
 * is stored now. Methods never throw {@link java.io.IOException}.
 *
 * <h2>Threading</h2>
 * Called by the node's event-loop thread only; not thread-safe.
 */
public final class MemoryStorage implements RaftStorage {

    private HardState hardState = HardState.EMPTY;
    private Snapshot snapshot;
    /** The entries after the snapshot: {@code entries.get(i).index() == snapshotIndex() + 1 + i}. */
    private final ArrayList<Entry> entries = new ArrayList<>();
    private String clusterId = "";

    /** An empty store. */
    public MemoryStorage() {
    }

    /** Returns what is stored now; never fails. */
    @Override
    public StoredState load() {
        return new StoredState(hardState, snapshot, entries);
    }

    /**
     * Stores the batch with the semantics of {@link RaftStorage#persist}.
     *
     * @throws IllegalArgumentException when the entries are not contiguous or do not start
     *                                  after the snapshot and at most one past the last stored
     *                                  index; nothing is changed then
     */
    @Override
    public void persist(Snapshot newSnapshot, List<Entry> newEntries, HardState newHardState) {
        long base = newSnapshot != null ? newSnapshot.index() : snapshotIndex();
        long last = newSnapshot != null ? newSnapshot.index() : lastIndex();
        LogRules.checkAppend(newEntries, base, last);
        if (newSnapshot != null) {
            snapshot = newSnapshot;
            entries.clear();
        }
        if (!newEntries.isEmpty()) {
            int kept = (int) (newEntries.get(0).index() - snapshotIndex() - 1);
            entries.subList(kept, entries.size()).clear();
            entries.addAll(newEntries);
        }
        if (LogRules.mustWrite(hardState, newHardState)) {
            hardState = newHardState;
        }
    }

    /**
     * Stores a local snapshot and drops the entries it covers. A snapshot at or below the
     * stored snapshot's index is ignored: the stored one already covers it (a snapshot taken
     * in the background can arrive after a newer one from the leader).
     */
    @Override
    public void saveSnapshot(Snapshot newSnapshot) {
        Objects.requireNonNull(newSnapshot, "snapshot");
        if (newSnapshot.index() <= snapshotIndex()) {
            return;
        }
        int covered = (int) Math.min(newSnapshot.index() - snapshotIndex(), entries.size());
        entries.subList(0, covered).clear();
        snapshot = newSnapshot;
    }

    /** Does nothing: there is nothing to release. */
    @Override
    public Optional<String> clusterId() {
        return clusterId.isEmpty() ? Optional.empty() : Optional.of(clusterId);
    }

    @Override
    public void recordClusterId(String id) {
        if (!clusterId.isEmpty() && !clusterId.equals(id)) {
            throw new IllegalStateException("this storage belongs to cluster id " + clusterId + ", not " + id);
        }
        clusterId = id;
    }

    @Override
    public void close() {
    }

    private long snapshotIndex() {
        return snapshot == null ? 0 : snapshot.index();
    }

    private long lastIndex() {
        return snapshotIndex() + entries.size();
    }
}
