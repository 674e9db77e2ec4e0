package io.clustermode.storage;

import io.clustermode.codec.MalformedInputException;
import io.clustermode.codec.Wire;
import io.clustermode.raft.Entry;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a segment's records back, up to the end of the file or to the first record that is cut
 * short or fails its checksum; whether that is a torn tail or damage is the caller's call.
 */
final class SegmentScan {

    private final Path path;
    private final ByteBuffer content;
    private final long firstIndex;
    private final List<Entry> entries = new ArrayList<>();
    private int[] offsets = new int[256];
    private int count;
    private int validEnd;
    private String problem;

    private SegmentScan(Path path, ByteBuffer content, long firstIndex) {
        this.path = path;
        this.content = content;
        this.firstIndex = firstIndex;
    }

    /**
     * Scans the records after the header of {@code content}, the whole file.
     *
     * @param keepAfter entries at or below this index are checked but not kept
     * @throws StorageCorruptedException when a record with a good checksum is wrong: it was
     *                                   written that way, no crash explains it
     */
    static SegmentScan scan(Path path, ByteBuffer content, long firstIndex, long keepAfter)
            throws StorageCorruptedException {
        SegmentScan scan = new SegmentScan(path, content, firstIndex);
        scan.run(keepAfter);
        return scan;
    }

    private void run(long keepAfter) throws StorageCorruptedException {
        int limit = content.limit();
        int position = Segment.HEADER_BYTES;
        long expected = firstIndex;
        while (position < limit) {
            problem = recordProblem(position);
            if (problem != null) {
                break;
            }
            int length = content.getInt(position);
            Entry entry = decode(position, length);
            if (entry.index() != expected) {
                throw new StorageCorruptedException("corrupt log segment " + path + " at offset " + position
                        + ": holds entry " + entry.index() + " where entry " + expected + " belongs");
            }
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
            }
            offsets[count++] = position;
            if (entry.index() > keepAfter) {
                entries.add(entry);
            }
            expected++;
            position += Records.OVERHEAD + length;
        }
        validEnd = position;
    }

    /** Why the record at {@code position} is not a whole, intact record; null when it is. */
    private String recordProblem(int position) {
        int left = content.limit() - position;
        if (left < Records.OVERHEAD) {
            return "record header cut short: " + left + " bytes";
        }
        int length = content.getInt(position);
        if (length < Records.MIN_PAYLOAD || length > Records.MAX_PAYLOAD) {
            return "impossible record length " + length;
        }
        if (length > left - Records.OVERHEAD) {
            return "record cut short: " + length + "-byte payload, " + (left - Records.OVERHEAD) + " bytes left";
        }
        if (content.getInt(position + 4) != Records.checksum(content, position, length)) {
            return "record checksum mismatch";
        }
        return null;
    }

    private Entry decode(int position, int length) throws StorageCorruptedException {
        try {
            ByteBuffer payload = content.slice(position + Records.OVERHEAD, length);
            Entry entry = Wire.getEntry(payload);
            if (payload.hasRemaining()) {
                throw new MalformedInputException(payload.remaining() + " trailing bytes");
            }
            return entry;
        } catch (MalformedInputException e) {
            throw new StorageCorruptedException("corrupt log segment " + path + " at offset " + position
                    + ": record with a good checksum but an undecodable entry: " + e.getMessage());
        }
    }

    /**
     * Whether an intact record of entry {@code fromIndex} or later starts anywhere after byte
     * {@code offset} of {@code content} (-1 for anywhere): then what failed at {@code offset}
     * is damage, not a write cut short.
     */
    static boolean intactRecordAfter(ByteBuffer content, int offset, long fromIndex) {
        int limit = content.limit();
        int smallest = Records.OVERHEAD + Records.MIN_PAYLOAD;
        for (int p = offset + 1; p <= limit - smallest; p++) {
            int length = content.getInt(p);
            if (length < Records.MIN_PAYLOAD || length > limit - p - Records.OVERHEAD) {
                continue;
            }
            // Checking the index first keeps this about linear: a checksum is computed only
            // where an index that could follow sits, not at every plausible length.
            long index = content.getLong(p + Records.OVERHEAD);
            if (index < fromIndex || index > fromIndex + (p - Math.max(offset, 0)) / smallest) {
                continue;
            }
            if (content.getInt(p + 4) == Records.checksum(content, p, length)) {
                return true;
            }
        }
        return false;
    }

    /** Entries above {@code keepAfter}, in order. */
    List<Entry> entries() {
        return entries;
    }

    int[] offsets() {
        return offsets;
    }

    /** Records read intact. */
    int count() {
        return count;
    }

    /** The index the first damaged record would have had. */
    long nextIndex() {
        return firstIndex + count;
    }

    /** The offset just after the last intact record. */
    int validEnd() {
        return validEnd;
    }

    /** What is wrong at {@link #validEnd()}; null when the file ends there cleanly. */
    String problem() {
        return problem;
    }
}
