package io.clustermode.storage;

import io.clustermode.codec.Wire;
import io.clustermode.raft.Entry;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A log record: {@code [payload length: 4][CRC32C: 4][payload]}, payload =
 * {@link Wire#putEntry}. The checksum covers the length field as well as the payload, so a
 * damaged length is caught even when it happens to point at a plausible end.
 */
final class Records {

    /** Length and checksum. */
    static final int OVERHEAD = 8;
    /** The smallest entry: index, term, type and an empty blob. */
    static final int MIN_PAYLOAD = 21;
    /** The largest command plus room for the largest configuration. */
    static final int MAX_PAYLOAD = Wire.MAX_BLOB + (8 << 20);

    private Records() {
    }

    /** The bytes {@code entry} takes in a segment. */
    static int size(Entry entry) {
        return OVERHEAD + Wire.sizeOf(entry);
    }

    /**
     * Refuses entries that could be written but not read back.
     *
     * @throws IllegalArgumentException when an entry is too large
     */
    static void checkWritable(List<Entry> entries) {
        for (Entry entry : entries) {
            if (entry.data().length > Wire.MAX_BLOB || Wire.sizeOf(entry) > MAX_PAYLOAD) {
                throw new IllegalArgumentException("entry " + entry.index() + " is too large to store: "
                        + Wire.sizeOf(entry) + " bytes, at most " + Wire.MAX_BLOB + " bytes of data");
            }
        }
    }

    /** The records of {@code entries}, back to back, in a buffer ready to write. */
    static ByteBuffer encode(List<Entry> entries) {
        int total = 0;
        for (Entry entry : entries) {
            total = Math.addExact(total, size(entry));
        }
        ByteBuffer buffer = ByteBuffer.allocate(total);
        for (Entry entry : entries) {
            int start = buffer.position();
            int length = Wire.sizeOf(entry);
            buffer.putInt(length).putInt(0);
            Wire.putEntry(buffer, entry);
            if (buffer.position() != start + OVERHEAD + length) {
                throw new IllegalStateException("Wire.sizeOf disagrees with Wire.putEntry for " + entry);
            }
            buffer.putInt(start + 4, checksum(buffer, start, length));
        }
        return buffer.flip();
    }

    /** The checksum of the record at {@code start} with a payload of {@code length} bytes. */
    static int checksum(ByteBuffer buffer, int start, int length) {
        CRC32C crc = new CRC32C();
        int base = buffer.arrayOffset() + start;
        crc.update(buffer.array(), base, 4);
        crc.update(buffer.array(), base + OVERHEAD, length);
        return (int) crc.getValue();
    }
}
