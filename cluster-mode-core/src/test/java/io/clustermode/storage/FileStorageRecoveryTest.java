package io.clustermode.storage;

import io.clustermode.raft.HardState;
import io.clustermode.storage.RaftStorage.StoredState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

import static io.clustermode.storage.Fixtures.N1;
import static io.clustermode.storage.Fixtures.command;
import static io.clustermode.storage.Fixtures.commands;
import static io.clustermode.storage.Fixtures.hardState;
import static io.clustermode.storage.Fixtures.indexes;
import static io.clustermode.storage.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link FileStorage#load()} repairs and what it refuses. Segments of 200 bytes hold four
 * entries: entries 1..10 are in segments 1 (1..4), 5 (5..8) and 9 (9, 10).
 */
class FileStorageRecoveryTest {

    /** The bytes of the last record, entry 10's. */
    private static final int RECORD = Records.size(command(10, 1));
    /** Where entry 10's record starts, after entry 9's. */
    private static final long LAST_RECORD = Segment.HEADER_BYTES + Records.size(command(9, 1));
    private static final long LAST_SEGMENT_SIZE = LAST_RECORD + RECORD;

    @TempDir
    Path dir;

    private FileStorage open() throws IOException {
        return FileStorage.open(dir, "test", N1, 200);
    }

    private void writeTenEntries() throws IOException {
        try (FileStorage storage = open()) {
            storage.load();
            storage.persist(null, commands(1, 10, 1), hardState(1, 8));
        }
        assertThat(Files.size(segment(9))).isEqualTo(LAST_SEGMENT_SIZE);
    }

    private Path segment(long firstIndex) {
        return dir.resolve(Segment.fileName(firstIndex));
    }

    private StoredState reload() throws IOException {
        try (FileStorage storage = open()) {
            return storage.load();
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x20;
        Files.write(file, bytes);
    }

    private static void cut(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
        }
    }

    @ParameterizedTest(name = "cut {0} bytes into the last record (-1: all but its last byte)")
    @ValueSource(ints = {1, 3, 4, 7, 8, 9, 20, -1})
    void a_last_record_cut_short_is_dropped_and_logged_and_the_repaired_log_takes_new_entries(int cutAt)
            throws IOException {
        int kept = cutAt < 0 ? RECORD - 1 : cutAt;
        writeTenEntries();
        cut(segment(9), LAST_RECORD + kept);

        try (FileStorage storage = open()) {
            StoredState loaded = storage.load();
            assertThat(indexes(loaded)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(storage.tornTails()).singleElement().satisfies(torn -> {
                assertThat(torn.file()).isEqualTo(segment(9));
                assertThat(torn.offset()).isEqualTo(LAST_RECORD);
                assertThat(torn.droppedBytes()).isEqualTo(kept);
            });
            storage.persist(null, commands(10, 12, 2), hardState(2, 9));
        }
        StoredState reloaded = reload();
        assertThat(indexes(reloaded)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(reloaded.entries().get(9).term()).isEqualTo(2);
    }

    @Test
    void a_cut_exactly_between_records_is_no_damage() throws IOException {
        writeTenEntries();
        cut(segment(9), LAST_RECORD);

        try (FileStorage storage = open()) {
            assertThat(indexes(storage.load())).endsWith(8L, 9L);
            assertThat(storage.tornTails()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} bytes of garbage")
    @ValueSource(ints = {1, 7, 8, 50, 4096})
    void garbage_after_the_last_record_is_dropped(int garbage) throws IOException {
        writeTenEntries();
        byte[] bytes = new byte[garbage];
        new Random(garbage).nextBytes(bytes);
        Files.write(segment(9), bytes, StandardOpenOption.APPEND);

        try (FileStorage storage = open()) {
            assertThat(indexes(storage.load())).hasSize(10);
            assertThat(storage.tornTails()).singleElement()
                    .satisfies(torn -> assertThat(torn.droppedBytes()).isEqualTo(garbage));
            storage.persist(null, commands(11, 11, 1), null);
        }
        assertThat(indexes(reload())).hasSize(11);
    }

    @Test
    void zeros_after_the_last_record_are_dropped() throws IOException {
        writeTenEntries();
        Files.write(segment(9), new byte[8192], StandardOpenOption.APPEND);

        assertThat(indexes(reload())).hasSize(10);
        assertThat(Files.size(segment(9))).isEqualTo(LAST_SEGMENT_SIZE);
    }

    @Test
    void a_damaged_last_record_cannot_be_told_from_a_torn_write_and_is_dropped() throws IOException {
        writeTenEntries();
        flipByte(segment(9), LAST_RECORD + 20);

        assertThat(indexes(reload())).hasSize(9);
    }

    @Test
    void a_segment_created_by_a_write_cut_short_before_its_header_is_removed() throws IOException {
        writeTenEntries();
        Files.write(segment(11), new byte[]{0x43, 0x4d, 0x53});

        assertThat(indexes(reload())).hasSize(10);
        assertThat(segment(11)).doesNotExist();
    }

    @Test
    void a_flipped_byte_in_a_record_followed_by_intact_ones_is_refused_naming_file_and_offset() throws IOException {
        writeTenEntries();
        flipByte(segment(9), Segment.HEADER_BYTES + 20);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(segment(9).toString(), "offset " + Segment.HEADER_BYTES, "checksum")
                .hasMessageNotContaining("\n");
    }

    @Test
    void a_flipped_byte_in_a_record_length_followed_by_intact_ones_is_refused() throws IOException {
        writeTenEntries();
        flipByte(segment(9), Segment.HEADER_BYTES + 3);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContaining(segment(9).toString());
    }

    @Test
    void a_damaged_last_record_of_a_segment_that_is_not_the_last_is_refused() throws IOException {
        writeTenEntries();
        flipByte(segment(5), Files.size(segment(5)) - 3);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(segment(5).toString(), "not the last");
    }

    @Test
    void a_segment_cut_short_that_is_not_the_last_is_refused() throws IOException {
        writeTenEntries();
        cut(segment(5), Files.size(segment(5)) - 5);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContaining(segment(5).toString());
    }

    @Test
    void a_damaged_segment_header_is_refused() throws IOException {
        writeTenEntries();
        flipByte(segment(5), 10);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(segment(5).toString(), "header");
    }

    @Test
    void a_missing_segment_in_the_middle_is_refused() throws IOException {
        writeTenEntries();
        Files.delete(segment(5));

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(segment(9).toString(), "missing");
    }

    @Test
    void a_missing_first_segment_is_refused() throws IOException {
        writeTenEntries();
        Files.delete(segment(1));

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(segment(5).toString(), "1..4 are missing");
    }

    /** Writes ten entries, then three more hard states in place; the last is returned. */
    private HardState writeTenEntriesAndHardStates() throws IOException {
        writeTenEntries();
        try (FileStorage storage = open()) {
            storage.load();
            storage.persist(null, List.of(), hardState(2, 8));
            storage.persist(null, List.of(), hardState(3, 9));
            storage.persist(null, List.of(), hardState(4, 10));
        }
        return hardState(4, 10);
    }

    @ParameterizedTest(name = "flip the byte at {0} of slot {1}")
    @CsvSource({"0, 0", "6, 0", "13, 0", "17, 0", "25, 0", "0, 1", "6, 1", "13, 1", "17, 1", "25, 1"})
    void a_damaged_hard_state_copy_is_recovered_from_the_other_and_rewritten_by_the_next_write(int offset, int slot)
            throws IOException {
        HardState last = writeTenEntriesAndHardStates();
        Path file = dir.resolve(HardStateFile.NAME);
        flipByte(file, (long) slot * HardStateFile.SLOT_BYTES + offset);

        try (FileStorage storage = open()) {
            assertThat(storage.load().hardState()).isEqualTo(last);
            storage.persist(null, List.of(), hardState(5, 10));
        }
        // The first write after load rewrote both copies: the other one may now be damaged too.
        flipByte(file, (long) (1 - slot) * HardStateFile.SLOT_BYTES + offset);
        assertThat(reload().hardState()).isEqualTo(hardState(5, 10));
    }

    @Test
    void a_hard_state_file_with_both_copies_damaged_is_refused() throws IOException {
        writeTenEntriesAndHardStates();
        Path file = dir.resolve(HardStateFile.NAME);
        flipByte(file, HardStateFile.SLOT_HEADER_BYTES + 1);
        flipByte(file, HardStateFile.SLOT_BYTES + HardStateFile.SLOT_HEADER_BYTES + 1);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(file.toString(), "checksum", "offset " + HardStateFile.CRC_OFFSET,
                        "offset " + (HardStateFile.SLOT_BYTES + HardStateFile.CRC_OFFSET))
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest(name = "cut to {0} bytes")
    @ValueSource(ints = {0, 1, 4, HardStateFile.SLOT_BYTES, 2 * HardStateFile.SLOT_BYTES - 2})
    void a_hard_state_file_cut_short_is_refused(int length) throws IOException {
        writeTenEntriesAndHardStates();
        Path file = dir.resolve(HardStateFile.NAME);
        cut(file, length);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(file.toString(), length + " bytes").hasMessageNotContaining("\n");
    }

    @Test
    void a_hard_state_file_grown_is_refused() throws IOException {
        writeTenEntriesAndHardStates();
        Path file = dir.resolve(HardStateFile.NAME);
        Files.write(file, new byte[1], StandardOpenOption.APPEND);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void an_unreadable_file_is_refused() throws IOException {
        writeTenEntries();
        Path file = dir.resolve(HardStateFile.NAME);
        Files.delete(file);
        Files.createDirectory(file);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll("cannot read", file.toString());
    }

    @Test
    void a_damaged_snapshot_file_is_refused() throws IOException {
        try (FileStorage storage = open()) {
            storage.load();
            storage.persist(null, commands(1, 10, 1), hardState(1, 8));
            storage.saveSnapshot(snapshot(6, 1));
        }
        Path file = dir.resolve(SnapshotFile.NAME);
        flipByte(file, Files.size(file) - 6);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(file.toString(), "checksum");
    }

    @Test
    void a_commit_beyond_the_stored_log_is_refused() throws IOException {
        try (FileStorage storage = open()) {
            storage.load();
            storage.persist(null, commands(1, 3, 1), hardState(1, 50));
        }

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll("commit 50", "log ends at 3");
    }

    @Test
    void segments_of_a_log_a_leader_snapshot_replaced_are_removed_even_if_a_crash_kept_them() throws IOException {
        writeTenEntries();
        Path kept = Files.createDirectory(dir.resolve("kept"));
        for (long first : new long[]{1, 5, 9}) {
            Files.copy(segment(first), kept.resolve(Segment.fileName(first)));
        }
        try (FileStorage storage = open()) {
            storage.load();
            storage.persist(snapshot(20, 2), commands(21, 22, 2), hardState(2, 20));
        }
        for (long first : new long[]{1, 5, 9}) {
            Files.copy(kept.resolve(Segment.fileName(first)), segment(first));
        }

        StoredState loaded = reload();
        assertThat(indexes(loaded)).containsExactly(21L, 22L);
        assertThat(segment(1)).doesNotExist();
        assertThat(segment(9)).doesNotExist();
    }

    @Test
    void segments_a_local_snapshot_covers_are_removed_even_if_a_crash_kept_them() throws IOException {
        writeTenEntries();
        Path kept = Files.createDirectory(dir.resolve("kept"));
        Files.copy(segment(1), kept.resolve("1"));
        Files.copy(segment(5), kept.resolve("5"));
        try (FileStorage storage = open()) {
            storage.load();
            storage.saveSnapshot(snapshot(9, 1));
        }
        Files.copy(kept.resolve("1"), segment(1));
        Files.copy(kept.resolve("5"), segment(5));

        assertThat(indexes(reload())).containsExactly(10L);
        assertThat(segment(1)).doesNotExist();
        assertThat(segment(5)).doesNotExist();
    }

    @Test
    void temporary_files_of_interrupted_replacements_are_ignored_and_removed() throws IOException {
        // The hard state's first write of a process replaces the file: a crash can leave its temp.
        HardState last = writeTenEntriesAndHardStates();
        Files.write(dir.resolve(HardStateFile.NAME + DurableFiles.TEMP_SUFFIX), new byte[]{1, 2, 3});
        Files.write(dir.resolve(SnapshotFile.NAME + DurableFiles.TEMP_SUFFIX), new byte[]{4, 5});

        try (FileStorage storage = open()) {
            StoredState loaded = storage.load();
            assertThat(loaded.hardState()).isEqualTo(last);
            assertThat(loaded.snapshot()).isNull();
            assertThat(dir.resolve(HardStateFile.NAME + DurableFiles.TEMP_SUFFIX)).doesNotExist();
            assertThat(dir.resolve(SnapshotFile.NAME + DurableFiles.TEMP_SUFFIX)).doesNotExist();
            storage.persist(null, List.of(), hardState(5, 10));
        }
        assertThat(reload().hardState()).isEqualTo(hardState(5, 10));
    }

    @Test
    void an_old_snapshot_file_restored_over_a_newer_log_generation_is_refused() throws IOException {
        writeTenEntries();
        try (FileStorage storage = open()) {
            storage.load();
            storage.saveSnapshot(snapshot(2, 1));
        }
        Path old = dir.resolve("old-snapshot");
        Files.copy(dir.resolve(SnapshotFile.NAME), old);
        try (FileStorage storage = open()) {
            storage.load();
            storage.persist(snapshot(20, 2), commands(21, 22, 2), hardState(2, 20));
        }
        Files.copy(old, dir.resolve(SnapshotFile.NAME), StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(this::reload).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContaining("generation");
    }
}
