package io.clustermode.storage;

import io.clustermode.codec.MalformedInputException;
import io.clustermode.codec.Wire;
import io.clustermode.raft.Snapshot;
import io.clustermode.raft.SnapshotMeta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The latest snapshot's file, replaced atomically:
 * {@code [magic "CMSN"][log generation: 8][meta length: 4][meta][data length: 4][data][CRC32C of all before: 4]},
 * meta = {@link Wire#putSnapshotMeta}.
 *
 * <p>The log generation tells which segments belong with this snapshot: a snapshot from the
 * leader starts a new generation, so segments of an older one are leftovers of the log it
 * replaced, even when a crash kept them from being deleted.
 */
final class SnapshotFile {

    static final String NAME = "snapshot";
    private static final int MAGIC = 0x434d534e;
    private static final int FIXED_BYTES = 4 + 8 + 4 + 4 + 4;

    /** A snapshot and the generation of the log that follows it. */
    record Stored(Snapshot snapshot, long generation) {
    }

    private SnapshotFile() {
    }

    /** Replaces the stored snapshot, durably. */
    static void write(Path dir, Snapshot snapshot, long generation) throws IOException {
        int metaLength = Wire.sizeOf(snapshot.meta());
        ByteBuffer header = ByteBuffer.allocate(4 + 8 + 4 + metaLength + 4);
        header.putInt(MAGIC).putLong(generation).putInt(metaLength);
        Wire.putSnapshotMeta(header, snapshot.meta());
        header.putInt(snapshot.data().length).flip();
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, header.limit());
        crc.update(snapshot.data());
        ByteBuffer trailer = ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip();
        DurableFiles.writeAtomically(dir, NAME, header, ByteBuffer.wrap(snapshot.data()), trailer);
    }

    /** The stored snapshot, or null when there is none. */
    static Stored read(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return null;
        }
        ByteBuffer content = DurableFiles.readAll(file);
        int size = content.remaining();
        if (size < FIXED_BYTES || content.getInt(0) != MAGIC) {
            throw corrupt(file, 0, "not a snapshot file (" + size + " bytes, bad header)");
        }
        if (content.getInt(size - 4) != DurableFiles.crc32c(content, 0, size - 4)) {
            throw corrupt(file, size - 4, "checksum mismatch over the " + size + "-byte file");
        }
        long generation = content.getLong(4);
        int metaLength = content.getInt(12);
        if (generation < 0 || metaLength < 0 || metaLength > size - FIXED_BYTES) {
            throw corrupt(file, 4, "bad generation " + generation + " or meta length " + metaLength);
        }
        try {
            ByteBuffer meta = content.slice(16, metaLength);
            SnapshotMeta snapshotMeta = Wire.getSnapshotMeta(meta);
            if (meta.hasRemaining()) {
                throw new MalformedInputException(meta.remaining() + " trailing bytes after the snapshot meta");
            }
            int dataAt = 16 + metaLength + 4;
            int dataLength = content.getInt(dataAt - 4);
            if (dataLength != size - dataAt - 4) {
                throw new MalformedInputException("data length " + dataLength + " but the file holds "
                        + (size - dataAt - 4) + " bytes of data");
            }
            byte[] data = new byte[dataLength];
            content.get(dataAt, data);
            return new Stored(new Snapshot(snapshotMeta, data), generation);
        } catch (MalformedInputException e) {
            throw corrupt(file, 16, e.getMessage());
        }
    }

    private static StorageCorruptedException corrupt(Path file, long offset, String what) {
        return new StorageCorruptedException("corrupt snapshot file " + file + " at offset " + offset + ": " + what);
    }
}
