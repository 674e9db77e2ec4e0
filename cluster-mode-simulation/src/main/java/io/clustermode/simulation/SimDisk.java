package io.clustermode.simulation;

import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.raft.Ready;
import io.clustermode.raft.Snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A node's simulated disk: what survives a crash. Writes follow the {@link Ready} contract
 * (snapshot, then entries, then hard state); a crash in the middle of a write keeps only a
 * random prefix of it — a torn write.
 */
final class SimDisk {

    HardState hardState = HardState.EMPTY;
    Snapshot snapshot;
    final List<Entry> entries = new ArrayList<>();

    void persist(Ready ready) {
        if (ready.snapshot() != null) {
            saveSnapshot(ready.snapshot(), true);
        }
        appendEntries(ready.entries(), ready.entries().size());
        if (ready.hardState() != null) {
            hardState = ready.hardState();
        }
    }

    /**
     * Persists part of {@code ready}, as a crash in the middle of the write would leave it:
     * the snapshot (written atomically, by rename) or not, a prefix of the entries, and the
     * hard state (also atomic) only when everything before it made it.
     */
    void persistTorn(Ready ready, Random random) {
        if (ready.snapshot() != null) {
            if (random.nextBoolean()) {
                return;
            }
            saveSnapshot(ready.snapshot(), true);
        }
        int kept = random.nextInt(ready.entries().size() + 1);
        appendEntries(ready.entries(), kept);
        if (kept == ready.entries().size() && ready.hardState() != null && random.nextBoolean()) {
            hardState = ready.hardState();
        }
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
