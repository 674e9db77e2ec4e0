package io.clustermode.simulation;

import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.raft.Ready;
import io.clustermode.raft.Snapshot;
import io.clustermode.storage.RaftStorage;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A node's simulated disk: what survives a crash, behind the same {@link RaftStorage}
 * interface as the real one, so the node's {@code ReadyDriver} writes to it as it would to
 * files. Writes follow the {@link Ready} contract (snapshot, then entries, then hard state); a
 * crash in the middle of a write keeps only a random prefix of it — a torn write — and the
 * write throws {@link SimulatedCrash}, as the process would die there.
 */
final class SimDisk implements RaftStorage {

    HardState hardState = HardState.EMPTY;
    Snapshot snapshot;
    final List<Entry> entries = new ArrayList<>();
    /** Tears the next write with this randomness and crashes; null: writes complete. */
    Random tearNextWrite;

    @Override
    public StoredState load() {
        return new StoredState(hardState, snapshot, entries);
    }

    @Override
    public void persist(Snapshot newSnapshot, List<Entry> newEntries, HardState newHardState) throws SimulatedCrash {
        if (tearNextWrite != null) {
            Random random = tearNextWrite;
            tearNextWrite = null;
            persistTorn(newSnapshot, newEntries, newHardState, random);
            throw new SimulatedCrash("in the middle of a write");
        }
        if (newSnapshot != null) {
            saveSnapshot(newSnapshot, true);
        }
        appendEntries(newEntries, newEntries.size());
        if (newHardState != null) {
            hardState = newHardState;
        }
    }

    @Override
    public void saveSnapshot(Snapshot newSnapshot) {
        saveSnapshot(newSnapshot, false);
    }

    @Override
    public void close() {
    }

    /**
     * Persists part of a write, as a crash in the middle of the write would leave it:
     * the snapshot (written atomically, by rename) or not, a prefix of the entries, and the
     * hard state (also atomic) only when everything before it made it.
     */
    private void persistTorn(Snapshot newSnapshot, List<Entry> newEntries, HardState newHardState, Random random) {
        if (newSnapshot != null) {
            if (random.nextBoolean()) {
                return;
            }
            saveSnapshot(newSnapshot, true);
        }
        int kept = random.nextInt(newEntries.size() + 1);
        appendEntries(newEntries, kept);
        if (kept == newEntries.size() && newHardState != null && random.nextBoolean()) {
            hardState = newHardState;
        }
    }

    /** The index of the last entry held, in the log or covered by the snapshot; 0 when none. */
    long lastIndex() {
        if (!entries.isEmpty()) {
            return entries.get(entries.size() - 1).index();
        }
        return snapshot == null ? 0 : snapshot.index();
    }

    /** A snapshot: from the leader it replaces the whole log; from a local compaction only the entries it covers. */
    void saveSnapshot(Snapshot newSnapshot, boolean replaceLog) {
        snapshot = newSnapshot;
        if (replaceLog) {
            entries.clear();
        } else {
            entries.removeIf(entry -> entry.index() <= newSnapshot.index());
        }
    }

    private void appendEntries(List<Entry> newEntries, int count) {
        if (count == 0) {
            return;
        }
        long first = newEntries.get(0).index();
        entries.removeIf(entry -> entry.index() >= first);
        entries.addAll(newEntries.subList(0, count));
    }
}
