package io.clustermode.storage;

import io.clustermode.raft.Entry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * One file of the log, named by the index of its first entry: a header
 * {@code [magic "CMSG"][log generation: 8][first index: 8][CRC32C of the 20 bytes before: 4]}
 * then {@link Records records} of consecutive entries. Keeps the file offset of every record,
 * so that truncating at an index needs no reading.
 */
final class Segment {

    static final int HEADER_BYTES = 24;
    static final String SUFFIX = ".seg";
    private static final int MAGIC = 0x434d5347;

    /** What a segment's header says. */
    record Header(long generation, long firstIndex) {
    }

    private final Path path;
    private final long firstIndex;
    private final long generation;
    private int[] offsets;
    private int count;
    private long size;
    /** Open only while this segment is written to. */
    private FileChannel channel;
    private boolean unforced;

    private Segment(Path path, long firstIndex, long generation, int[] offsets, int count, long size) {
        this.path = path;
        this.firstIndex = firstIndex;
        this.generation = generation;
        this.offsets = offsets;
        this.count = count;
        this.size = size;
    }

    /**
     * Creates the file with its header, forced; the file's name is durable only after a
     * directory force.
     */
    static Segment create(Path dir, long firstIndex, long generation) throws IOException {
        Segment segment = new Segment(dir.resolve(fileName(firstIndex)), firstIndex, generation, new int[64], 0,
                HEADER_BYTES);
        segment.channel = DurableFiles.openOwnerOnly(segment.path, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        DurableFiles.writeFully(segment.channel, header(generation, firstIndex), 0);
        // Forced on its own, once per segment: were it forced with the first records, a crash
        // could keep records whose header never reached the disk, which load must refuse.
        segment.channel.force(false);
        return segment;
    }

    /** A segment read back on load, {@code size} bytes long with records at {@code offsets[0..count)}. */
    static Segment recovered(Path path, Header header, int[] offsets, int count, long size) {
        return new Segment(path, header.firstIndex(), header.generation(), offsets, count, size);
    }

    static String fileName(long firstIndex) {
        return String.format("%020d", firstIndex) + SUFFIX;
    }

    /** The first index of a segment file's name, or -1 when it is not a segment name. */
    static long parseFileName(String name) {
        if (!name.endsWith(SUFFIX) || name.length() != 20 + SUFFIX.length()) {
            return -1;
        }
        String digits = name.substring(0, 20);
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static ByteBuffer header(long generation, long firstIndex) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES);
        buffer.putInt(MAGIC).putLong(generation).putLong(firstIndex);
        buffer.putInt(DurableFiles.crc32c(buffer, 0, HEADER_BYTES - 4));
        return buffer.flip();
    }

    /** The header at the start of {@code content}, or null when it is short or damaged. */
    static Header readHeader(ByteBuffer content) {
        if (content.limit() < HEADER_BYTES || content.getInt(0) != MAGIC
                || content.getInt(HEADER_BYTES - 4) != DurableFiles.crc32c(content, 0, HEADER_BYTES - 4)) {
            return null;
        }
        return new Header(content.getLong(4), content.getLong(12));
    }

    Path path() {
        return path;
    }

    long firstIndex() {
        return firstIndex;
    }

    /** {@code firstIndex() - 1} when empty. */
    long lastIndex() {
        return firstIndex + count - 1;
    }

    long generation() {
        return generation;
    }

    /** Bytes in the file, header included. */
    long size() {
        return size;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Writes {@code entries}, which follow {@link #lastIndex()}; durable after {@link #force()}. */
    void append(List<Entry> entries) throws IOException {
        if (entries.get(0).index() != lastIndex() + 1) {
            throw new IllegalStateException(path + " ends at " + lastIndex() + ", cannot append " + entries.get(0));
        }
        openChannel();
        ByteBuffer records = Records.encode(entries);
        DurableFiles.writeFully(channel, records, size);
        unforced = true;
        long offset = size;
        for (Entry entry : entries) {
            addOffset(Math.toIntExact(offset));
            offset += Records.size(entry);
        }
        size = offset;
    }

    /** Makes what was written durable; does nothing when nothing was. */
    void force() throws IOException {
        if (unforced) {
            // force(false) is fdatasync: it still flushes the file size, which reading needs.
            channel.force(false);
            unforced = false;
        }
    }

    /** Drops the entries from {@code index} on, durably. */
    void truncateFrom(long index) throws IOException {
        int kept = (int) (index - firstIndex);
        if (kept < 0 || kept > count) {
            throw new IllegalStateException(path + " holds " + firstIndex + ".." + lastIndex() + ", cannot cut at " + index);
        }
        if (kept == count) {
            return;
        }
        long newSize = offsets[kept];
        openChannel();
        channel.truncate(newSize);
        // Durable before new records are written: otherwise a crash could expose old records
        // after new ones of the same size, and they would read as a valid, mixed log.
        channel.force(false);
        unforced = false;
        count = kept;
        size = newSize;
    }

    /** Closes the file if it is open; the segment may be written to again later. */
    void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Closes and deletes the file. */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(path);
    }

    private void openChannel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.WRITE);
        }
    }

    private void addOffset(int offset) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, Math.max(16, offsets.length * 2));
        }
        offsets[count++] = offset;
    }

    @Override
    public String toString() {
        return path.getFileName() + "[" + firstIndex + ".." + lastIndex() + ", " + size + "B]";
    }
}
