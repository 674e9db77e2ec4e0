package io.clustermode.storage;

import io.clustermode.raft.Entry;
import io.clustermode.NodeId;
import io.clustermode.storage.RaftStorage.StoredState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.clustermode.storage.Fixtures.N1;
import static io.clustermode.storage.Fixtures.N2;
import static io.clustermode.storage.Fixtures.commands;
import static io.clustermode.storage.Fixtures.hardState;
import static io.clustermode.storage.Fixtures.indexes;
import static io.clustermode.storage.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link FileStorage}'s files: segments, identity, locking. With 100-byte segments, a segment
 * holds two of the {@link Fixtures#command} entries below index 10.
 */
class FileStorageTest {

    @TempDir
    Path dir;

    private FileStorage open() throws IOException {
        return FileStorage.open(dir, "test", N1, 100);
    }

    private FileStorage openAndLoad() throws IOException {
        FileStorage storage = open();
        storage.load();
        return storage;
    }

    private StoredState reload() throws IOException {
        try (FileStorage storage = open()) {
            return storage.load();
        }
    }

    private List<String> segmentNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".seg")).sorted().toList();
        }
    }

    private static String segment(long firstIndex) {
        return Segment.fileName(firstIndex);
    }

    @Test
    void when_a_segment_is_full_then_a_new_one_named_by_its_first_index_is_started() throws IOException {
        try (FileStorage storage = openAndLoad()) {
            storage.persist(null, commands(1, 7, 1), hardState(1, 7));
        }
        assertThat(segmentNames()).containsExactly(segment(1), segment(3), segment(5), segment(7));
        assertThat(indexes(reload())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void an_entry_larger_than_a_segment_gets_a_segment_of_its_own() throws IOException {
        try (FileStorage storage = openAndLoad()) {
            storage.persist(null, List.of(Fixtures.command(1, 1), Entry.command(2, 1, new byte[1000]),
                    Fixtures.command(3, 1)), null);
        }
        assertThat(segmentNames()).containsExactly(segment(1), segment(2), segment(3));
        assertThat(reload().entries().get(1).data()).hasSize(1000);
    }

    @Test
    void when_entries_overwrite_a_suffix_spanning_segments_then_later_segments_go_and_the_holder_is_cut()
            throws IOException {
        try (FileStorage storage = openAndLoad()) {
            storage.persist(null, commands(1, 9, 1), hardState(1, 2));
            storage.persist(null, commands(4, 4, 2), hardState(2, 2));
            assertThat(storage.segmentFiles()).extracting(path -> path.getFileName().toString())
                    .containsExactly(segment(1), segment(3));
        }
        StoredState loaded = reload();
        assertThat(indexes(loaded)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(loaded.entries().get(3).term()).isEqualTo(2);
        assertThat(segmentNames()).containsExactly(segment(1), segment(3));
    }

    @Test
    void when_entries_overwrite_from_a_segment_start_then_that_segment_is_reused() throws IOException {
        try (FileStorage storage = openAndLoad()) {
            storage.persist(null, commands(1, 9, 1), hardState(1, 2));
            storage.persist(null, commands(5, 6, 3), null);
        }
        assertThat(segmentNames()).containsExactly(segment(1), segment(3), segment(5));
        assertThat(reload().entries().subList(4, 6)).extracting(Entry::term).containsExactly(3L, 3L);
    }

    @Test
    void a_local_snapshot_deletes_the_segments_it_wholly_covers() throws IOException {
        try (FileStorage storage = openAndLoad()) {
            storage.persist(null, commands(1, 9, 1), hardState(1, 9));
            storage.saveSnapshot(snapshot(5, 1));
        }
        assertThat(segmentNames()).containsExactly(segment(5), segment(7), segment(9));
        assertThat(indexes(reload())).containsExactly(6L, 7L, 8L, 9L);
    }

    @Test
    void a_snapshot_from_the_leader_deletes_every_segment() throws IOException {
        try (FileStorage storage = openAndLoad()) {
            storage.persist(null, commands(1, 9, 1), hardState(1, 2));
            storage.persist(snapshot(5, 2), commands(6, 6, 2), hardState(2, 5));
        }
        assertThat(segmentNames()).containsExactly(segment(6));
        assertThat(indexes(reload())).containsExactly(6L);
    }

    @Test
    void when_the_dir_belongs_to_another_cluster_then_open_refuses_with_one_line_naming_both() throws IOException {
        FileStorage.open(dir, "alpha", N1).close();

        assertThatThrownBy(() -> FileStorage.open(dir, "beta", N1))
                .isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(dir.toString(), "'alpha'", "'beta'")
                .hasMessageNotContaining("\n");
    }

    @Test
    void when_the_dir_belongs_to_another_node_then_open_refuses_with_one_line_naming_both() throws IOException {
        FileStorage.open(dir, "alpha", N1).close();

        assertThatThrownBy(() -> FileStorage.open(dir, "alpha", N2))
                .isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(dir.toString(), "'n1'", "'n2'")
                .hasMessageNotContaining("\n");
    }

    @Test
    void when_the_dir_has_an_unknown_format_then_open_refuses() throws IOException {
        FileStorage.open(dir, "alpha", N1).close();
        Path identity = dir.resolve(DataDirIdentity.FILE);
        Files.writeString(identity, Files.readString(identity).replace("format=1", "format=7"));

        assertThatThrownBy(() -> FileStorage.open(dir, "alpha", N1))
                .isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(dir.toString(), "'7'", "format 1");
        assertThatThrownBy(() -> FileStorage.storedNodeId(dir)).isInstanceOf(StorageCorruptedException.class);
    }

    @Test
    void when_storage_files_have_no_identity_then_open_refuses_to_adopt_them() throws IOException {
        try (FileStorage storage = openAndLoad()) {
            storage.persist(null, commands(1, 1, 1), hardState(1, 1));
        }
        Files.delete(dir.resolve(DataDirIdentity.FILE));

        assertThatThrownBy(() -> FileStorage.open(dir, "test", N2))
                .isInstanceOf(StorageCorruptedException.class)
                .hasMessageContainingAll(dir.toString(), "no " + DataDirIdentity.FILE);
    }

    @Test
    void when_the_identity_file_is_garbage_then_open_refuses() throws IOException {
        Files.writeString(dir.resolve(DataDirIdentity.FILE), "not an identity");

        assertThatThrownBy(this::open).isInstanceOf(StorageCorruptedException.class)
                .hasMessageContaining(DataDirIdentity.FILE);
    }

    @Test
    void the_stored_node_id_is_there_once_the_dir_was_opened() throws IOException {
        NodeId generated = NodeId.of("generated-7f3a");
        assertThat(FileStorage.storedNodeId(dir.resolve("absent"))).isEmpty();
        assertThat(FileStorage.storedNodeId(dir)).isEmpty();

        FileStorage.open(dir.resolve("node"), "alpha", generated).close();

        assertThat(FileStorage.storedNodeId(dir.resolve("node"))).contains(generated);
    }

    @Test
    void a_second_open_of_the_same_dir_is_refused_while_the_first_is_open() throws IOException {
        FileStorage first = open();
        assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessageContaining("in use");
        first.close();
        open().close();
    }

    @Test
    void writes_need_a_load_first_and_nothing_works_after_close() throws IOException {
        FileStorage storage = open();
        assertThatThrownBy(() -> storage.persist(null, commands(1, 1, 1), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("load()");
        storage.load();
        assertThatThrownBy(storage::load).isInstanceOf(IllegalStateException.class);
        storage.close();
        storage.close();
        assertThatThrownBy(() -> storage.saveSnapshot(snapshot(1, 1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void an_entry_too_large_to_read_back_is_refused() throws IOException {
        try (FileStorage storage = openAndLoad()) {
            Entry huge = Entry.command(1, 1, new byte[io.clustermode.codec.Wire.MAX_BLOB + 1]);
            assertThatThrownBy(() -> storage.persist(null, List.of(huge), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
        }
        assertThat(segmentNames()).isEmpty();
    }

    @Test
    void the_data_dir_and_every_file_in_it_are_the_owners_only() throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (FileStorage storage = open()) {
            storage.load();
            storage.persist(snapshot(3, 1), commands(4, 6, 2), hardState(2, 5));
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.toList()).isNotEmpty().allSatisfy(file -> assertThat(
                    java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as(file.getFileName().toString()).isEqualTo("rw-------"));
        }
    }
}
