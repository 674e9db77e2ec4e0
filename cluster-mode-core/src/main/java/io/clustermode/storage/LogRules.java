package io.clustermode.storage;

import io.clustermode.raft.Entry;

import java.util.List;
import java.util.Objects;

/**
 * The checks both storages make before writing, so that they accept and refuse exactly the
 * same calls: a refused call changes nothing.
 */
final class LogRules {

    private LogRules() {
    }

    /**
     * Requires {@code entries} to be contiguous and to start after the snapshot and no later
     * than right after the last stored entry.
     *
     * @param snapshotIndex the index the stored snapshot covers, 0 when none
     * @param lastIndex     the last stored index; {@code snapshotIndex} when the log is empty
     * @throws IllegalArgumentException when they do not fit
     */
    static void checkAppend(List<Entry> entries, long snapshotIndex, long lastIndex) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) {
            return;
        }
        long first = entries.get(0).index();
        if (first <= snapshotIndex || first > lastIndex + 1) {
            throw new IllegalArgumentException("entries start at index " + first + ", but the next entry can only go at "
                    + (snapshotIndex + 1) + ".." + (lastIndex + 1) + " (snapshot at " + snapshotIndex + ", last index "
                    + lastIndex + ")");
        }
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).index() != first + i) {
                throw new IllegalArgumentException("entries are not contiguous: index " + entries.get(i).index()
                        + " follows " + entries.get(i - 1).index());
            }
        }
    }

    /**
     * Whether a new hard state must be written. The commit index alone does not justify a
     * write: it is not needed for safety (a restarted node learns it again from the leader),
     * and rewriting the hard state on every commit would cost two more forces per batch.
     * The term and the vote must be durable, and the commit index is written along with them.
     */
    static boolean mustWrite(io.clustermode.raft.HardState stored, io.clustermode.raft.HardState proposed) {
        return proposed != null && (proposed.term() != stored.term()
                || !java.util.Objects.equals(proposed.votedFor(), stored.votedFor()));
    }
}
