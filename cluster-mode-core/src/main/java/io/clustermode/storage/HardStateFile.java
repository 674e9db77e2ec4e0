package io.clustermode.storage;

import io.clustermode.codec.MalformedInputException;
import io.clustermode.codec.Wire;
import io.clustermode.raft.HardState;
import io.clustermode.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The hard state's file: two copies ("slots") of the hard state, each {@link #SLOT_BYTES} long,
 * written in place. A slot is {@code [magic "CMH2"][u64 sequence][u32 payload length][u32
 * CRC32C of sequence, length and payload][payload]}, zeros after it; payload =
 * {@link Wire#putHardState}.
 *
 * <p>A write gives both slots the same new sequence number and writes slot 0, forces it, then
 * slot 1 and forces it: two {@code fdatasync}s of a file whose size does not change. Why two
 * copies, one after the other: a crash can tear only the slot being written; the other then
 * holds either the old state (the write had not returned, so nothing depended on the new one)
 * or the new one. After a completed write both slots are equal, so later damage to any one slot
 * (bit rot) loses nothing. {@link #read} takes the valid slot of the higher sequence and logs
 * at WARN when a slot is invalid; it refuses the file only when neither is valid.
 *
 * <p>The first write of an instance builds both slots and replaces the whole file atomically
 * (temporary file, force, rename, directory force): that creates the file, converts one in the
 * old format and rewrites a damaged slot; later writes go in place through a channel kept open
 * until {@link #close()}.
 *
 * <p>The old format, {@code [magic "CMHS"][payload length][CRC32C of payload][payload]}, is
 * still read, so that existing data directories start; the first write converts it.
 *
 * <p>Used by the storage's single thread; not thread-safe.
 */
final class HardStateFile implements Closeable {

    static final String NAME = "hardstate";

    /** The bytes of one copy: a page, so that a slot never shares one with the other. */
    static final int SLOT_BYTES = 4096;
    /** The file's size: two slots. */
    static final int FILE_BYTES = 2 * SLOT_BYTES;
    /** "CMH2": a slot of this format. */
    static final int SLOT_MAGIC = 0x434d4832;
    static final int MAGIC_OFFSET = 0;
    static final int SEQUENCE_OFFSET = 4;
    static final int LENGTH_OFFSET = 12;
    static final int CRC_OFFSET = 16;
    static final int SLOT_HEADER_BYTES = 20;
    /** The largest payload a slot holds. */
    static final int MAX_PAYLOAD_BYTES = SLOT_BYTES - SLOT_HEADER_BYTES;

    /** "CMHS": the old single-record format, read but no longer written. */
    static final int OLD_MAGIC = 0x434d4853;
    static final int OLD_HEADER_BYTES = 12;

    /**
     * The largest hard state: a vote for a node id of {@link NodeId#MAX_LENGTH} characters, each
     * at most 3 bytes in UTF-8 (a character outside the BMP is two chars for 4 bytes).
     */
    static final int MAX_STATE_BYTES = 16 + 1 + 2 + 3 * NodeId.MAX_LENGTH;

    static {
        if (MAX_STATE_BYTES > MAX_PAYLOAD_BYTES) {
            throw new AssertionError("a hard-state slot of " + SLOT_BYTES + " bytes cannot hold " + MAX_STATE_BYTES);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(HardStateFile.class);

    private final Path dir;
    private final Path file;
    private final HardState loaded;
    /** The sequence number of the last state read or written; the next write uses one more. */
    private long sequence;
    /** Open for in-place writes once this instance has written the whole file. */
    private FileChannel channel;
    private boolean closed;

    private HardStateFile(Path dir, HardState loaded, long sequence) {
        this.dir = dir;
        this.file = dir.resolve(NAME);
        this.loaded = loaded;
        this.sequence = sequence;
    }

    /**
     * Reads the stored hard state of {@code dir}: {@link HardState#EMPTY} when there is no file.
     *
     * @throws StorageCorruptedException when the file cannot be read, has neither format's size
     *                                   or has no valid copy; the message is one line naming
     *                                   the file, the offset and the reason
     */
    static HardStateFile read(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return new HardStateFile(dir, HardState.EMPTY, 0);
        }
        ByteBuffer content = DurableFiles.readAll(file);
        int size = content.remaining();
        if (size != FILE_BYTES) {
            if (size >= 4 && content.getInt(0) == OLD_MAGIC) {
                return new HardStateFile(dir, readOldFormat(file, content), 0);
            }
            throw corrupt(file, Math.min(size, FILE_BYTES), size + " bytes; a hard-state file holds two copies of "
                    + SLOT_BYTES + " bytes (" + FILE_BYTES + ")");
        }
        Slot first = Slot.parse(content, 0);
        Slot second = Slot.parse(content, 1);
        if (first.valid() && second.valid()) {
            if (first.sequence != second.sequence) {
                // A crash between the two writes (slot 0, written first, is then the newer one).
                Slot newer = first.sequence > second.sequence ? first : second;
                return new HardStateFile(dir, newer.state, newer.sequence);
            }
            if (!first.state.equals(second.state)) {
                throw corrupt(file, SLOT_BYTES, "both copies have sequence " + first.sequence
                        + " but hold different states (" + first.state + ", " + second.state + ")");
            }
            return new HardStateFile(dir, first.state, first.sequence);
        }
        if (!first.valid() && !second.valid()) {
            throw corrupt(file, 0, "no valid copy: slot 0 at offset " + first.errorOffset + ": " + first.error
                    + "; slot 1 at offset " + second.errorOffset + ": " + second.error);
        }
        Slot bad = first.valid() ? second : first;
        Slot good = first.valid() ? first : second;
        LOG.warn("hard-state file {}: slot {} at offset {} is invalid ({}): a torn write or damage; using the other"
                        + " copy, sequence {}", file, bad.index, bad.errorOffset, bad.error, good.sequence);
        return new HardStateFile(dir, good.state, good.sequence);
    }

    /** The hard state {@link #read} found. */
    HardState loaded() {
        return loaded;
    }

    /**
     * Replaces the stored hard state, durably: in place, with two forces, except on this
     * instance's first write, which replaces the whole file atomically.
     *
     * @throws IllegalArgumentException when the state does not fit in a slot (it always does
     *                                  for a valid {@link NodeId})
     */
    void write(HardState state) throws IOException {
        if (closed) {
            throw new IllegalStateException("the hard-state file " + file + " is closed");
        }
        long next = sequence + 1;
        if (channel == null) {
            ByteBuffer image = ByteBuffer.allocate(FILE_BYTES);
            encodeSlot(image, 0, next, state);
            encodeSlot(image, SLOT_BYTES, next, state);
            DurableFiles.writeAtomically(dir, NAME, image);
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } else {
            ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES);
            encodeSlot(slot, 0, next, state);
            DurableFiles.writeFully(channel, slot, 0);
            channel.force(false);
            DurableFiles.writeFully(channel, slot.flip(), SLOT_BYTES);
            channel.force(false);
        }
        sequence = next;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Puts a whole slot, zeros after the payload, at {@code at}; leaves the position alone. */
    private void encodeSlot(ByteBuffer out, int at, long seq, HardState state) {
        int length = Wire.sizeOf(state);
        if (length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("hard state of " + length + " bytes does not fit in a " + SLOT_BYTES
                    + "-byte slot of " + file + " (at most " + MAX_PAYLOAD_BYTES + "): " + state);
        }
        ByteBuffer slot = out.slice(at, SLOT_BYTES);
        slot.putInt(SLOT_MAGIC).putLong(seq).putInt(length).putInt(0);
        Wire.putHardState(slot, state);
        slot.putInt(CRC_OFFSET, slotCrc(slot, length));
    }

    /** CRC32C of a slot's sequence, length and payload (the CRC field itself skipped). */
    private static int slotCrc(ByteBuffer slot, int length) {
        CRC32C crc = new CRC32C();
        int base = slot.arrayOffset();
        crc.update(slot.array(), base + SEQUENCE_OFFSET, CRC_OFFSET - SEQUENCE_OFFSET);
        crc.update(slot.array(), base + SLOT_HEADER_BYTES, length);
        return (int) crc.getValue();
    }

    /** One slot as read: its state and sequence, or why it is invalid. */
    private static final class Slot {
        final int index;
        long sequence;
        HardState state;
        String error;
        long errorOffset;

        private Slot(int index) {
            this.index = index;
        }

        boolean valid() {
            return error == null;
        }

        static Slot parse(ByteBuffer content, int index) {
            Slot slot = new Slot(index);
            int start = index * SLOT_BYTES;
            ByteBuffer bytes = content.slice(start, SLOT_BYTES);
            if (bytes.getInt(MAGIC_OFFSET) != SLOT_MAGIC) {
                return slot.invalid(start + MAGIC_OFFSET, "bad magic");
            }
            int length = bytes.getInt(LENGTH_OFFSET);
            if (length < 0 || length > MAX_PAYLOAD_BYTES) {
                return slot.invalid(start + LENGTH_OFFSET, "payload length " + length + " outside 0.." + MAX_PAYLOAD_BYTES);
            }
            if (bytes.getInt(CRC_OFFSET) != slotCrc(bytes, length)) {
                return slot.invalid(start + CRC_OFFSET, "checksum mismatch");
            }
            try {
                ByteBuffer payload = bytes.slice(SLOT_HEADER_BYTES, length);
                HardState state = Wire.getHardState(payload);
                if (payload.hasRemaining()) {
                    throw new MalformedInputException(payload.remaining() + " trailing bytes");
                }
                slot.sequence = bytes.getLong(SEQUENCE_OFFSET);
                slot.state = state;
                return slot;
            } catch (MalformedInputException e) {
                return slot.invalid(start + SLOT_HEADER_BYTES, "undecodable hard state: " + e.getMessage());
            }
        }

        private Slot invalid(long offset, String why) {
            errorOffset = offset;
            error = why.replace('\n', ' ');
            return this;
        }
    }

    private static HardState readOldFormat(Path file, ByteBuffer content) throws StorageCorruptedException {
        int size = content.remaining();
        if (size < OLD_HEADER_BYTES) {
            throw corrupt(file, 0, "old-format hard-state file of " + size + " bytes, shorter than its header");
        }
        int length = content.getInt(4);
        if (length != size - OLD_HEADER_BYTES) {
            throw corrupt(file, 4, "payload length " + length + " but the file holds " + (size - OLD_HEADER_BYTES)
                    + " bytes");
        }
        if (content.getInt(8) != DurableFiles.crc32c(content, OLD_HEADER_BYTES, length)) {
            throw corrupt(file, OLD_HEADER_BYTES, "checksum mismatch");
        }
        try {
            ByteBuffer payload = content.slice(OLD_HEADER_BYTES, length);
            HardState state = Wire.getHardState(payload);
            if (payload.hasRemaining()) {
                throw new MalformedInputException(payload.remaining() + " trailing bytes");
            }
            return state;
        } catch (MalformedInputException e) {
            throw corrupt(file, OLD_HEADER_BYTES, "undecodable hard state: " + e.getMessage());
        }
    }

    private static StorageCorruptedException corrupt(Path file, long offset, String what) {
        return new StorageCorruptedException(("corrupt hard-state file " + file + " at offset " + offset + ": " + what)
                .replace('\n', ' '));
    }
}
