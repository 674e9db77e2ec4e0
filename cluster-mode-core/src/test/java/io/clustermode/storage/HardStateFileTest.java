package io.clustermode.storage;

import io.clustermode.codec.Wire;
import io.clustermode.raft.HardState;
import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static io.clustermode.storage.Fixtures.N1;
import static io.clustermode.storage.Fixtures.N2;
import static io.clustermode.storage.Fixtures.commands;
import static io.clustermode.storage.HardStateFile.FILE_BYTES;
import static io.clustermode.storage.HardStateFile.SLOT_BYTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two-copy hard-state file through {@link FileStorage}: crashes between and during its
 * in-place writes, many writes, the old single-copy format, the longest node id.
 */
class HardStateFileTest {

    private static final HardState A = new HardState(3, N1, 0);
    private static final HardState B = new HardState(4, N2, 0);

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve(HardStateFile.NAME);
    }

    private FileStorage open() throws IOException {
        return FileStorage.open(dir, "test", N1);
    }

    private HardState reload() throws IOException {
        try (FileStorage storage = open()) {
            return storage.load().hardState();
        }
    }

    /** Persists {@code states} in one process life: the first replaces the file, the rest go in place. */
    private void persist(HardState... states) throws IOException {
        try (FileStorage storage = open()) {
            storage.load();
            for (HardState state : states) {
                storage.persist(null, List.of(), state);
            }
        }
    }

    /** The file's bytes after A then B were written in place (the write of B having completed). */
    private byte[][] filesWithAThenB() throws IOException {
        persist(new HardState(2, null, 0), A);
        byte[] withA = Files.readAllBytes(file());
        persist(new HardState(2, null, 0), A, B);
        byte[] withB = Files.readAllBytes(file());
        assertThat(withA).hasSize(FILE_BYTES);
        assertThat(withB).hasSize(FILE_BYTES);
        return new byte[][]{withA, withB};
    }

    @ParameterizedTest(name = "the first {0} bytes of slot 0 written")
    @ValueSource(ints = {0, 1, 4, 11, 12, 16, 19, 20, 21, 30, 512, SLOT_BYTES - 1, SLOT_BYTES})
    void a_crash_while_writing_slot_0_loads_the_old_state_or_the_new_one(int written) throws IOException {
        byte[][] files = filesWithAThenB();
        byte[] torn = files[0].clone();
        System.arraycopy(files[1], 0, torn, 0, written);
        Files.write(file(), torn);

        HardState loaded = reload();
        assertThat(loaded).isIn(A, B);
        if (written >= HardStateFile.SLOT_HEADER_BYTES + Wire.sizeOf(B)) {
            assertThat(loaded).isEqualTo(B);
        }
    }

    @ParameterizedTest(name = "{0} bytes of garbage over slot 0")
    @ValueSource(ints = {1, 3, 8, 20, 100, SLOT_BYTES})
    void garbage_torn_into_slot_0_after_a_durable_write_loads_that_write(int garbage) throws IOException {
        persist(new HardState(2, null, 0), A);
        byte[] bytes = Files.readAllBytes(file());
        byte[] noise = new byte[garbage];
        new Random(garbage).nextBytes(noise);
        System.arraycopy(noise, 0, bytes, 0, garbage);
        Files.write(file(), bytes);

        try (FileStorage storage = open()) {
            assertThat(storage.load().hardState()).isEqualTo(A);
            storage.persist(null, List.of(), B);
        }
        assertThat(reload()).isEqualTo(B);
    }

    @ParameterizedTest(name = "the first {0} bytes of slot 1 written")
    @ValueSource(ints = {0, 1, 12, 20, 30, SLOT_BYTES - 1, SLOT_BYTES})
    void a_crash_while_writing_slot_1_loads_the_new_state(int written) throws IOException {
        byte[][] files = filesWithAThenB();
        byte[] torn = files[0].clone();
        System.arraycopy(files[1], 0, torn, 0, SLOT_BYTES + written);

        Files.write(file(), torn);

        assertThat(reload()).isEqualTo(B);
    }

    @Test
    void equal_sequences_with_different_states_are_refused() throws IOException {
        byte[][] files = filesWithAThenB();
        byte[] mixed = files[1].clone();
        // Slot 1 replaced by a valid copy of A bearing B's sequence: no write produces this.
        byte[] slotA = Arrays.copyOfRange(files[0], SLOT_BYTES, FILE_BYTES);
        resequence(slotA, ByteBuffer.wrap(files[1]).getLong(HardStateFile.SEQUENCE_OFFSET));
        System.arraycopy(slotA, 0, mixed, SLOT_BYTES, SLOT_BYTES);
        Files.write(file(), mixed);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(file().toString(), "different states").hasMessageNotContaining("\n");
    }

    /** Gives a slot another sequence number, with a checksum to match. */
    private static void resequence(byte[] slot, long sequence) {
        ByteBuffer buffer = ByteBuffer.wrap(slot);
        buffer.putLong(HardStateFile.SEQUENCE_OFFSET, sequence);
        CRC32C crc = new CRC32C();
        crc.update(slot, HardStateFile.SEQUENCE_OFFSET, HardStateFile.CRC_OFFSET - HardStateFile.SEQUENCE_OFFSET);
        crc.update(slot, HardStateFile.SLOT_HEADER_BYTES, buffer.getInt(HardStateFile.LENGTH_OFFSET));
        buffer.putInt(HardStateFile.CRC_OFFSET, (int) crc.getValue());
    }

    @Test
    void of_two_valid_copies_the_higher_sequence_wins() throws IOException {
        byte[][] files = filesWithAThenB();
        long sequenceOfB = ByteBuffer.wrap(files[1]).getLong(HardStateFile.SEQUENCE_OFFSET);
        byte[] mixed = files[1].clone();
        byte[] slotA = Arrays.copyOfRange(files[0], 0, SLOT_BYTES);
        resequence(slotA, sequenceOfB + 1);
        System.arraycopy(slotA, 0, mixed, SLOT_BYTES, SLOT_BYTES);
        Files.write(file(), mixed);

        assertThat(reload()).isEqualTo(A);
    }

    @Test
    void reopening_after_many_writes_returns_the_last() throws IOException {
        long term = 0;
        for (int life = 0; life < 3; life++) {
            try (FileStorage storage = open()) {
                assertThat(storage.load().hardState().term()).isEqualTo(term);
                for (int i = 0; i < 200; i++) {
                    term++;
                    storage.persist(null, List.of(), new HardState(term, term % 3 == 0 ? null : N2, 0));
                }
            }
            assertThat(reload()).isEqualTo(new HardState(term, term % 3 == 0 ? null : N2, 0));
            assertThat(Files.size(file())).isEqualTo(FILE_BYTES);
        }
    }

    @Test
    void an_old_format_file_is_read_and_the_next_write_converts_it() throws IOException {
        try (FileStorage storage = open()) {
            storage.load();
            storage.persist(null, commands(1, 5, 1), new HardState(1, N1, 2));
        }
        HardState old = new HardState(7, N2, 4);
        Files.write(file(), oldFormat(old));

        try (FileStorage storage = open()) {
            assertThat(storage.load().hardState()).isEqualTo(old);
            storage.persist(null, List.of(), new HardState(8, null, 5));
            assertThat(Files.size(file())).isEqualTo(FILE_BYTES);
        }
        assertThat(reload()).isEqualTo(new HardState(8, null, 5));
    }

    @Test
    void a_damaged_old_format_file_is_refused() throws IOException {
        persist(A);
        byte[] bytes = oldFormat(B);
        bytes[bytes.length - 1] ^= 0x20;
        Files.write(file(), bytes);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(file().toString(), "checksum").hasMessageNotContaining("\n");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a", "\u20ac", "\ud83d\ude00"})
    void a_vote_for_a_node_id_of_the_longest_length_fits(String unit) throws IOException {
        NodeId longest = NodeId.of(unit.repeat(NodeId.MAX_LENGTH / unit.length()));
        assertThat(longest.value()).hasSize(NodeId.MAX_LENGTH);
        HardState state = new HardState(9, longest, 0);

        persist(A, state);
        assertThat(reload()).isEqualTo(state);
        HardState next = new HardState(10, longest, 0);
        persist(next);
        assertThat(reload()).isEqualTo(next);
    }

    /** The old single-copy layout: {@code [magic "CMHS"][payload length][CRC32C of payload][payload]}. */
    private static byte[] oldFormat(HardState state) {
        int length = Wire.sizeOf(state);
        ByteBuffer buffer = ByteBuffer.allocate(12 + length);
        buffer.putInt(0x434d4853).putInt(length).putInt(0);
        Wire.putHardState(buffer, state);
        buffer.putInt(8, DurableFiles.crc32c(buffer, 12, length));
        return buffer.array();
    }
}
