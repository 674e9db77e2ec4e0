package io.clustermode.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's view of the log: a snapshot point, the entries after it, and three marks —
 * stable (durable on the driver's disk), commit and applied. Indexes start at 1; index 0 with
 * term 0 is the empty log's "previous entry".
 *
 * <p>Invariant: {@code snapshotIndex <= applied <= commit <= lastIndex} and
 * {@code snapshotIndex <= stable <= lastIndex}.
 */
final class RaftLog {

    /** The term of an index this log cannot tell: compacted away, or not there yet. */
    static final long UNKNOWN = -1;

    private SnapshotMeta snapshot;
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long stable;
    private long commit;
    private long applied;

    RaftLog(SnapshotMeta snapshot, List<Entry> stored, long commit) {
        this.snapshot = snapshot;
        long expected = snapshot.index() + 1;
        for (Entry entry : stored) {
            if (entry.index() != expected) {
                throw new IllegalArgumentException("the stored log is not contiguous: expected index " + expected
                        + ", found " + entry.index());
            }
            expected++;
            entries.add(entry);
        }
        this.stable = lastIndex();
        this.applied = snapshot.index();
        if (commit > lastIndex()) {
            throw new IllegalArgumentException("the stored commit index " + commit + " is beyond the stored log's end "
                    + lastIndex());
        }
        this.commit = Math.max(commit, snapshot.index());
    }

    SnapshotMeta snapshotMeta() {
        return snapshot;
    }

    long firstIndex() {
        return snapshot.index() + 1;
    }

    long lastIndex() {
        return snapshot.index() + entries.size();
    }

    long lastTerm() {
        return entries.isEmpty() ? snapshot.term() : entries.get(entries.size() - 1).term();
    }

    long commitIndex() {
        return commit;
    }

    long appliedIndex() {
        return applied;
    }

    long stableIndex() {
        return stable;
    }

    /** The term at {@code index}, or {@link #UNKNOWN}. */
    long term(long index) {
        if (index == snapshot.index()) {
            return snapshot.term();
        }
        if (index < snapshot.index() || index > lastIndex()) {
            return UNKNOWN;
        }
        return entries.get(offset(index)).term();
    }

    boolean matchTerm(long index, long term) {
        long found = term(index);
        return found != UNKNOWN && found == term;
    }

    Entry entry(long index) {
        return entries.get(offset(index));
    }

    /**
     * A candidate's log is at least as up to date as this one (§5.4.1): a later last term, or
     * the same last term and at least as long.
     */
    boolean isUpToDate(long lastIndex, long lastTerm) {
        return lastTerm > lastTerm() || (lastTerm == lastTerm() && lastIndex >= lastIndex());
    }

    /** Entries from {@code from}, at most {@code maxCount} and about {@code maxBytes} (at least one). */
    List<Entry> slice(long from, int maxCount, int maxBytes) {
        List<Entry> out = new ArrayList<>();
        int bytes = 0;
        for (long i = from; i <= lastIndex() && out.size() < maxCount; i++) {
            Entry entry = entry(i);
            bytes += entry.sizeEstimate();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(entry);
        }
        return out;
    }

    void append(Entry entry) {
        if (entry.index() != lastIndex() + 1) {
            throw new IllegalStateException("append at " + entry.index() + " after last index " + lastIndex());
        }
        entries.add(entry);
    }

    /**
     * Appends a leader's entries that follow a matching {@code prevIndex}: entries already
     * here with the same term are kept (a reordered, older append must not cut the log), the
     * first conflicting entry and all after it are replaced (§5.3, AppendEntries rule 3 and 4).
     *
     * @return whether anything was truncated
     */
    boolean appendFromLeader(long prevIndex, List<Entry> newEntries) {
        boolean truncated = false;
        for (Entry entry : newEntries) {
            long index = entry.index();
            if (index <= snapshot.index()) {
                continue;
            }
            if (index <= lastIndex()) {
                if (term(index) == entry.term()) {
                    continue;
                }
                if (index <= commit) {
                    throw new IllegalStateException("entry " + index + " is committed with term " + term(index)
                            + " but the leader sends term " + entry.term() + ": the log would lose a committed entry");
                }
                truncateFrom(index);
                truncated = true;
            }
            entries.add(entry);
        }
        return truncated;
    }

    private void truncateFrom(long index) {
        entries.subList(offset(index), entries.size()).clear();
        stable = Math.min(stable, index - 1);
    }

    /** Entries not yet acknowledged as durable. */
    List<Entry> unstableEntries() {
        long from = Math.max(stable, snapshot.index()) + 1;
        return from > lastIndex() ? List.of() : new ArrayList<>(entries.subList(offset(from), entries.size()));
    }

    /** Committed entries the driver has not applied yet. */
    List<Entry> entriesToApply() {
        long from = Math.max(applied, snapshot.index()) + 1;
        if (from > commit) {
            return List.of();
        }
        return new ArrayList<>(entries.subList(offset(from), offset(commit) + 1));
    }

    void stableTo(long index) {
        stable = Math.max(stable, Math.min(index, lastIndex()));
    }

    void appliedTo(long index) {
        if (index > commit) {
            throw new IllegalStateException("applied " + index + " beyond commit " + commit);
        }
        applied = Math.max(applied, index);
    }

    /** Moves the commit index forward; never back (a commit is forever). */
    boolean commitTo(long index) {
        if (index <= commit) {
            return false;
        }
        if (index > lastIndex()) {
            throw new IllegalStateException("commit " + index + " beyond last index " + lastIndex());
        }
        commit = index;
        return true;
    }

    /** Drops entries up to {@code meta.index()}, which the driver has captured in a snapshot. */
    void compact(SnapshotMeta meta) {
        entries.subList(0, offset(meta.index()) + 1).clear();
        snapshot = meta;
    }

    /**
     * Replaces the log with a snapshot from the leader (§7): a following suffix is kept when
     * this log holds the snapshot's last entry with the same term, else everything goes. The
     * driver replaces its whole stored log with the snapshot, so any kept suffix is unstable again.
     */
    void restore(SnapshotMeta meta) {
        if (matchTerm(meta.index(), meta.term()) && meta.index() <= lastIndex()) {
            entries.subList(0, offset(meta.index()) + 1).clear();
        } else {
            entries.clear();
        }
        snapshot = meta;
        stable = meta.index();
        commit = Math.max(commit, meta.index());
    }

    /** The latest configuration at or before {@code index}, and the index it came from. */
    Configuration configurationAt(long index) {
        for (long i = Math.min(index, lastIndex()); i > snapshot.index(); i--) {
            Entry entry = entry(i);
            if (entry.type() == EntryType.CONFIGURATION) {
                return entry.configuration();
            }
        }
        return snapshot.configuration();
    }

    /** The index of the latest configuration entry, or the snapshot's index when the log has none. */
    long configurationIndex() {
        for (long i = lastIndex(); i > snapshot.index(); i--) {
            if (entry(i).type() == EntryType.CONFIGURATION) {
                return i;
            }
        }
        return snapshot.index();
    }

    /** The last index at or below {@code upTo} whose term is {@code term}, or {@link #UNKNOWN}. */
    long lastIndexOfTerm(long term, long upTo) {
        for (long i = Math.min(upTo, lastIndex()); i > snapshot.index(); i--) {
            long t = entry(i).term();
            if (t == term) {
                return i;
            }
            if (t < term) {
                break;
            }
        }
        return UNKNOWN;
    }

    /** The first index of the run of {@code term} that holds {@code index}. */
    long firstIndexOfTermAt(long index) {
        long term = term(index);
        long i = index;
        while (i - 1 > snapshot.index() && term(i - 1) == term) {
            i--;
        }
        return i;
    }

    private int offset(long index) {
        long offset = index - snapshot.index() - 1;
        if (offset < 0 || offset >= entries.size()) {
            throw new IndexOutOfBoundsException("index " + index + " is outside the log (" + firstIndex() + ".."
                    + lastIndex() + ")");
        }
        return (int) offset;
    }
}
