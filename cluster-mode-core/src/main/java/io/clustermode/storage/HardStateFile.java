package io.clustermode.storage;

import io.clustermode.codec.MalformedInputException;
import io.clustermode.codec.Wire;
import io.clustermode.raft.HardState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hard state's file: {@code [magic "CMHS"][payload length][CRC32C of payload][payload]},
 * payload = {@link Wire#putHardState}. Replaced atomically, so it is never torn: any damage is
 * corruption.
 */
final class HardStateFile {

    static final String NAME = "hardstate";
    private static final int MAGIC = 0x434d4853;
    private static final int HEADER_BYTES = 12;

    private HardStateFile() {
    }

    /** Replaces the stored hard state, durably. */
    static void write(Path dir, HardState state) throws IOException {
        int length = Wire.sizeOf(state);
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES + length);
        buffer.putInt(MAGIC).putInt(length).putInt(0);
        Wire.putHardState(buffer, state);
        buffer.putInt(8, DurableFiles.crc32c(buffer, HEADER_BYTES, length));
        DurableFiles.writeAtomically(dir, NAME, buffer.flip());
    }

    /** The stored hard state; {@link HardState#EMPTY} when there is no file. */
    static HardState read(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return HardState.EMPTY;
        }
        ByteBuffer content = DurableFiles.readAll(file);
        int size = content.remaining();
        if (size < HEADER_BYTES || content.getInt(0) != MAGIC) {
            throw corrupt(file, 0, "not a hard-state file (" + size + " bytes, bad header)");
        }
        int length = content.getInt(4);
        if (length != size - HEADER_BYTES) {
            throw corrupt(file, 4, "payload length " + length + " but the file holds " + (size - HEADER_BYTES) + " bytes");
        }
        if (content.getInt(8) != DurableFiles.crc32c(content, HEADER_BYTES, length)) {
            throw corrupt(file, HEADER_BYTES, "checksum mismatch");
        }
        try {
            ByteBuffer payload = content.slice(HEADER_BYTES, length);
            HardState state = Wire.getHardState(payload);
            if (payload.hasRemaining()) {
                throw new MalformedInputException(payload.remaining() + " trailing bytes");
            }
            return state;
        } catch (MalformedInputException e) {
            throw corrupt(file, HEADER_BYTES, "undecodable hard state: " + e.getMessage());
        }
    }

    private static StorageCorruptedException corrupt(Path file, long offset, String what) {
        return new StorageCorruptedException("corrupt hard-state file " + file + " at offset " + offset + ": " + what);
    }
}
