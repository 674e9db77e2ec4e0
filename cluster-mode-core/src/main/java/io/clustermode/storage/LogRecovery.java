package io.clustermode.storage;

import io.clustermode.raft.Entry;
import io.clustermode.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads the segments back on load: removes what a crash left behind and may be removed (a
 * torn tail, segments of a log a leader's snapshot replaced, segments a snapshot covers) and
 * refuses everything else that is wrong.
 */
final class LogRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);

    /** A torn tail cut away: the last record of the last segment, written only in part. */
    record TornTail(Path file, long offset, long droppedBytes, String reason) {
    }

    /** The segments to continue with, the entries after the snapshot, and what was repaired. */
    record Recovered(List<Segment> segments, List<Entry> entries, List<TornTail> tornTails) {
    }

    private final Path dir;
    private final NodeId node;
    private final long snapshotIndex;
    private final long generation;
    private final List<TornTail> tornTails = new ArrayList<>();

    private LogRecovery(Path dir, NodeId node, long snapshotIndex, long generation) {
        this.dir = dir;
        this.node = node;
        this.snapshotIndex = snapshotIndex;
        this.generation = generation;
    }

    /**
     * Recovers the log that follows a snapshot at {@code snapshotIndex} (0 when none) of log
     * generation {@code generation}.
     */
    static Recovered recover(Path dir, NodeId node, long snapshotIndex, long generation) throws IOException {
        return new LogRecovery(dir, node, snapshotIndex, generation).run();
    }

    private Recovered run() throws IOException {
        List<Candidate> candidates = dropStaleAndCovered(readHeaders(listSegments()));
        List<Segment> segments = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        long expected = -1;
        for (int i = 0; i < candidates.size(); i++) {
            Candidate candidate = candidates.get(i);
            long first = candidate.header.firstIndex();
            if (i == 0 && first > snapshotIndex + 1) {
                throw corrupt(candidate.path, 0, "starts at entry " + first + " but the snapshot covers only up to "
                        + snapshotIndex + ": entries " + (snapshotIndex + 1) + ".." + (first - 1) + " are missing");
            }
            if (i > 0 && first != expected) {
                throw corrupt(candidate.path, 0, "starts at entry " + first + " but the segment before ends at "
                        + (expected - 1) + ": a segment is missing or overlaps");
            }
            boolean last = i == candidates.size() - 1;
            ByteBuffer content = DurableFiles.readAll(candidate.path);
            SegmentScan scan = SegmentScan.scan(candidate.path, content, first, snapshotIndex);
            int size = scan.validEnd();
            if (scan.problem() != null) {
                if (!last || SegmentScan.intactRecordAfter(content, scan.validEnd(), scan.nextIndex())) {
                    throw corrupt(candidate.path, scan.validEnd(), scan.problem()
                            + (last ? ", with intact records after it" : " in a segment that is not the last"));
                }
                cutTornTail(candidate.path, scan.validEnd(), content.limit() - scan.validEnd(), scan.problem());
            }
            Segment segment = Segment.recovered(candidate.path, candidate.header, scan.offsets(), scan.count(), size);
            expected = segment.lastIndex() + 1;
            if (last && segment.lastIndex() <= snapshotIndex) {
                LOG.debug("node {}: removing {}, covered by the snapshot at {}", node, candidate.path, snapshotIndex);
                segment.delete();
            } else {
                segments.add(segment);
                entries.addAll(scan.entries());
            }
        }
        return new Recovered(segments, entries, List.copyOf(tornTails));
    }

    private TreeMap<Long, Path> listSegments() throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + Segment.SUFFIX)) {
            for (Path path : stream) {
                long first = Segment.parseFileName(path.getFileName().toString());
                if (first < 1) {
                    throw corrupt(path, 0, "not a log segment name (20 digits, the first index, from 1)");
                }
                files.put(first, path);
            }
        }
        return files;
    }

    private List<Candidate> readHeaders(TreeMap<Long, Path> files) throws IOException {
        List<Candidate> candidates = new ArrayList<>();
        for (var file : files.entrySet()) {
            Path path = file.getValue();
            ByteBuffer start = readStart(path);
            Segment.Header header = Segment.readHeader(start);
            if (header == null) {
                if (file.getKey().equals(files.lastKey()) && !hasIntactRecord(path, file.getKey())) {
                    // Created by the write a crash cut short: nothing in it was ever durable.
                    cutTornTail(path, 0, Files.size(path), "segment header cut short or damaged");
                    Files.delete(path);
                    continue;
                }
                throw corrupt(path, 0, "bad segment header");
            }
            if (header.firstIndex() != file.getKey()) {
                throw corrupt(path, 0, "header says first entry " + header.firstIndex() + ", name says " + file.getKey());
            }
            candidates.add(new Candidate(path, header));
        }
        return candidates;
    }

    private List<Candidate> dropStaleAndCovered(List<Candidate> candidates) throws IOException {
        List<Candidate> current = new ArrayList<>();
        for (Candidate candidate : candidates) {
            long segmentGeneration = candidate.header.generation();
            if (segmentGeneration > generation) {
                throw corrupt(candidate.path, 4, "log generation " + segmentGeneration
                        + " is newer than the snapshot's " + generation + ": the snapshot file is older than the log");
            }
            if (segmentGeneration < generation) {
                // The leader's snapshot that replaced this log was durable; deleting the old
                // segments was not.
                LOG.info("node {}: removing {}, left from a log replaced by the snapshot at {}", node, candidate.path,
                        snapshotIndex);
                Files.delete(candidate.path);
            } else {
                current.add(candidate);
            }
        }
        // A local compaction deletes covered segments after writing the snapshot; a crash can
        // keep some. Oldest first, so that what stays is always contiguous.
        while (current.size() >= 2 && current.get(1).header.firstIndex() <= snapshotIndex + 1) {
            LOG.debug("node {}: removing {}, covered by the snapshot at {}", node, current.get(0).path, snapshotIndex);
            Files.delete(current.remove(0).path);
        }
        return current;
    }

    private void cutTornTail(Path path, long offset, long dropped, String reason) throws IOException {
        if (offset > 0) {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                channel.truncate(offset);
                channel.force(false);
            }
        }
        LOG.warn("node {}: torn tail in {} at offset {}: dropped {} bytes ({}), a write cut short by a crash",
                node, path, offset, dropped, reason);
        tornTails.add(new TornTail(path, offset, dropped, reason));
    }

    private static ByteBuffer readStart(Path path) throws StorageCorruptedException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(Segment.HEADER_BYTES);
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
                // until full or at the end of the file
            }
            return buffer.flip();
        } catch (IOException e) {
            throw new StorageCorruptedException("cannot read " + path + ": " + e);
        }
    }

    private static boolean hasIntactRecord(Path path, long firstIndex) throws IOException {
        return SegmentScan.intactRecordAfter(DurableFiles.readAll(path), -1, firstIndex);
    }

    private StorageCorruptedException corrupt(Path path, long offset, String what) {
        return new StorageCorruptedException("corrupt log segment " + path + " at offset " + offset + ": " + what);
    }

    private record Candidate(Path path, Segment.Header header) {
    }
}
