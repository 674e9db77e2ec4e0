package io.clustermode.storage;

import io.clustermode.raft.Entry;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The log's entries after the snapshot, in segment files of about {@code segmentBytes} each;
 * only the last one is written to. Every write is durable when its method returns.
 */
final class SegmentedLog implements Closeable {

    private final Path dir;
    private final long segmentBytes;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private long snapshotIndex;
    private long generation;

    /**
     * @param segments      the recovered segments, contiguous, the first holding
     *                      {@code snapshotIndex + 1} unless it is empty
     * @param snapshotIndex the index the snapshot covers, 0 when none
     * @param generation    the generation of this log: segments are tagged with it
     */
    SegmentedLog(Path dir, long segmentBytes, List<Segment> segments, long snapshotIndex, long generation) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.snapshotIndex = snapshotIndex;
        this.generation = generation;
        for (Segment segment : segments) {
            this.segments.put(segment.firstIndex(), segment);
        }
    }

    long snapshotIndex() {
        return snapshotIndex;
    }

    long generation() {
        return generation;
    }

    /** The last stored index; {@link #snapshotIndex()} when no entry follows the snapshot. */
    long lastIndex() {
        return segments.isEmpty() ? snapshotIndex : Math.max(snapshotIndex, segments.lastEntry().getValue().lastIndex());
    }

    /** The segment files, oldest first. */
    List<Path> files() {
        List<Path> files = new ArrayList<>();
        segments.values().forEach(segment -> files.add(segment.path()));
        return files;
    }

    /**
     * Appends {@code entries}, contiguous and starting in {@code snapshotIndex + 1 .. lastIndex + 1},
     * after dropping the stored entries from their first index on. One force for the records,
     * plus one per segment filled up and a directory force when segments were created or
     * deleted.
     */
    void append(List<Entry> entries) throws IOException {
        long first = entries.get(0).index();
        if (!segments.isEmpty() && first <= segments.lastEntry().getValue().lastIndex()) {
            truncateFrom(first);
        }
        boolean created = false;
        Segment active = segments.isEmpty() ? null : segments.lastEntry().getValue();
        int from = 0;
        while (from < entries.size()) {
            if (active == null) {
                // The log is empty after a snapshot: it starts again at the entries' index.
                active = startSegment(entries.get(from).index(), null);
                created = true;
            } else if (active.lastIndex() + 1 != entries.get(from).index()) {
                throw new IllegalStateException(active + " cannot take entry " + entries.get(from).index());
            }
            int to = fitting(active, entries, from);
            if (to == from) {
                active = startSegment(entries.get(from).index(), active);
                created = true;
                continue;
            }
            active.append(entries.subList(from, to));
            from = to;
        }
        active.force();
        if (created) {
            DurableFiles.forceDirectory(dir);
        }
    }

    /** The end of the run of entries from {@code from} that fits in {@code segment}; a segment takes at least one. */
    private int fitting(Segment segment, List<Entry> entries, int from) {
        long size = segment.size();
        int to = from;
        while (to < entries.size()) {
            int record = Records.size(entries.get(to));
            if (size > Segment.HEADER_BYTES && size + record > segmentBytes) {
                break;
            }
            size += record;
            to++;
        }
        return to;
    }

    private Segment startSegment(long firstIndex, Segment full) throws IOException {
        if (full != null) {
            // The full segment must be durable before a later one exists: on load, only the
            // last segment may end in a torn record.
            full.force();
            full.close();
        }
        Segment segment = Segment.create(dir, firstIndex, generation);
        segments.put(firstIndex, segment);
        return segment;
    }

    private void truncateFrom(long index) throws IOException {
        Map.Entry<Long, Segment> holder = segments.floorEntry(index);
        NavigableMap<Long, Segment> later = segments.tailMap(holder.getKey(), false);
        if (!later.isEmpty()) {
            // Newest first, so that a crash leaves no gap; the directory is forced before new
            // records exist, or a deleted segment could come back after them.
            for (Segment segment : new ArrayList<>(later.descendingMap().values())) {
                segment.delete();
            }
            later.clear();
            DurableFiles.forceDirectory(dir);
        }
        holder.getValue().truncateFrom(index);
    }

    /**
     * A local snapshot at {@code index} was stored: deletes the segments it wholly covers,
     * oldest first. Their deletion need not be durable: on load, covered segments are removed.
     */
    void compactTo(long index) throws IOException {
        snapshotIndex = index;
        while (!segments.isEmpty() && segments.firstEntry().getValue().lastIndex() <= index) {
            segments.pollFirstEntry().getValue().delete();
        }
    }

    /**
     * A leader's snapshot at {@code index}, tagged with the new {@code newGeneration}, was
     * stored: deletes every segment, durably, so the log continues at {@code index + 1}.
     */
    void replace(long index, long newGeneration) throws IOException {
        for (Segment segment : new ArrayList<>(segments.descendingMap().values())) {
            segment.delete();
        }
        if (!segments.isEmpty()) {
            segments.clear();
            DurableFiles.forceDirectory(dir);
        }
        snapshotIndex = index;
        generation = newGeneration;
    }

    /** Closes the open segment file. */
    @Override
    public void close() throws IOException {
        for (Segment segment : segments.values()) {
            segment.close();
        }
    }
}
