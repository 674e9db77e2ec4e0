package io.clustermode.storage;

import io.clustermode.raft.Configuration;
import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.NodeId;
import io.clustermode.storage.RaftStorage.StoredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.clustermode.storage.Fixtures.N1;
import static io.clustermode.storage.Fixtures.assertSameState;
import static io.clustermode.storage.Fixtures.command;
import static io.clustermode.storage.Fixtures.commands;
import static io.clustermode.storage.Fixtures.hardState;
import static io.clustermode.storage.Fixtures.indexes;
import static io.clustermode.storage.Fixtures.snapshot;
import static io.clustermode.storage.Fixtures.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link RaftStorage} contract, run against every implementation. {@link #restart()}
 * stands for a process restart: a file storage is closed and opened again.
 */
abstract class RaftStorageContract {

    protected RaftStorage storage;

    /** A new, empty storage, loaded and ready for writes. */
    protected abstract RaftStorage create() throws IOException;

    /** What the storage holds after the process restarted. */
    protected abstract StoredState restart() throws IOException;

    @BeforeEach
    void createStorage() throws IOException {
        storage = create();
    }

    @AfterEach
    void closeStorage() throws IOException {
        storage.close();
    }

    @Test
    void a_new_store_holds_nothing() throws IOException {
        assertSameState(restart(), StoredState.empty());
    }

    @Test
    void entries_hard_state_and_snapshot_survive_a_restart() throws IOException {
        storage.persist(null, commands(1, 10, 1), hardState(1, 8));
        storage.saveSnapshot(snapshot(4, 1));
        storage.persist(null, commands(11, 12, 2), hardState(2, 11));

        assertSameState(restart(), state(hardState(2, 11), snapshot(4, 1), concat(commands(5, 10, 1), commands(11, 12, 2))));
        storage.persist(null, commands(13, 13, 2), null);
        assertThat(indexes(restart())).containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L);
    }

    @Test
    void configuration_and_no_op_entries_survive_a_restart() throws IOException {
        Configuration configuration = new Configuration(
                new java.util.TreeSet<>(List.of(N1, NodeId.of("é-ünïcode"))), new java.util.TreeSet<>(List.of(NodeId.of("l1"))));
        List<Entry> entries = List.of(Entry.configuration(1, 1, configuration), Entry.noop(2, 1),
                Entry.command(3, 1, new byte[0]), Entry.command(4, 1, new byte[5000]));
        storage.persist(null, entries, new HardState(1, null, 4));

        StoredState loaded = restart();
        assertSameState(loaded, state(new HardState(1, null, 4), null, entries));
        assertThat(loaded.entries().get(0).configuration()).isEqualTo(configuration);
    }

    @Test
    void entries_from_an_earlier_index_replace_the_stored_suffix() throws IOException {
        storage.persist(null, commands(1, 20, 1), hardState(1, 4));
        storage.persist(null, commands(5, 7, 2), hardState(2, 4));

        assertSameState(restart(), state(hardState(2, 4), null, concat(commands(1, 4, 1), commands(5, 7, 2))));
    }

    @Test
    void entries_overwriting_from_the_first_entry_after_the_snapshot_replace_everything_after_it() throws IOException {
        storage.persist(null, commands(1, 10, 1), hardState(1, 3));
        storage.saveSnapshot(snapshot(3, 1));
        storage.persist(null, commands(4, 5, 2), null);

        assertSameState(restart(), state(hardState(1, 3), snapshot(3, 1), commands(4, 5, 2)));
    }

    @Test
    void a_snapshot_from_the_leader_replaces_the_whole_log() throws IOException {
        storage.persist(null, commands(1, 10, 1), hardState(1, 2));
        storage.persist(snapshot(6, 2), commands(7, 8, 3), hardState(3, 6));

        assertSameState(restart(), state(hardState(3, 6), snapshot(6, 2), commands(7, 8, 3)));
    }

    @Test
    void a_snapshot_from_the_leader_without_entries_leaves_an_empty_log_that_continues_after_it() throws IOException {
        storage.persist(null, commands(1, 10, 1), hardState(1, 2));
        storage.persist(snapshot(40, 3), List.of(), hardState(3, 40));
        assertSameState(restart(), state(hardState(3, 40), snapshot(40, 3), List.of()));

        storage.persist(null, commands(41, 42, 3), null);
        assertSameState(restart(), state(hardState(3, 40), snapshot(40, 3), commands(41, 42, 3)));
    }

    @Test
    void a_local_snapshot_drops_the_entries_it_covers_and_keeps_later_ones() throws IOException {
        storage.persist(null, commands(1, 30, 1), hardState(1, 30));
        storage.saveSnapshot(snapshot(17, 1));

        assertSameState(restart(), state(hardState(1, 30), snapshot(17, 1), commands(18, 30, 1)));
    }

    @Test
    void a_local_snapshot_of_the_whole_log_leaves_an_empty_log_that_continues_after_it() throws IOException {
        storage.persist(null, commands(1, 10, 1), hardState(1, 10));
        storage.saveSnapshot(snapshot(10, 1));
        assertSameState(restart(), state(hardState(1, 10), snapshot(10, 1), List.of()));

        storage.persist(null, commands(11, 12, 2), hardState(2, 12));
        assertSameState(restart(), state(hardState(2, 12), snapshot(10, 1), commands(11, 12, 2)));
    }

    @Test
    void a_local_snapshot_not_newer_than_the_stored_one_is_ignored() throws IOException {
        storage.persist(null, commands(1, 10, 1), hardState(1, 10));
        storage.saveSnapshot(snapshot(8, 1));
        storage.saveSnapshot(snapshot(5, 1));
        storage.saveSnapshot(snapshot(8, 1));

        assertSameState(restart(), state(hardState(1, 10), snapshot(8, 1), commands(9, 10, 1)));
    }

    @Test
    void entries_that_do_not_fit_the_log_are_refused_and_change_nothing() throws IOException {
        storage.persist(null, commands(1, 10, 1), hardState(1, 5));
        storage.saveSnapshot(snapshot(5, 1));

        assertThatThrownBy(() -> storage.persist(null, commands(12, 13, 2), hardState(2, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start at index 12");
        assertThatThrownBy(() -> storage.persist(null, commands(5, 6, 2), hardState(2, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start at index 5");
        assertThatThrownBy(() -> storage.persist(null, List.of(command(11, 2), command(13, 2)), hardState(2, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not contiguous");
        assertThatThrownBy(() -> storage.persist(snapshot(20, 2), commands(22, 22, 2), hardState(2, 20)))
                .isInstanceOf(IllegalArgumentException.class);

        assertSameState(restart(), state(hardState(1, 5), snapshot(5, 1), commands(6, 10, 1)));
    }

    @Test
    void a_missing_hard_state_keeps_the_stored_one() throws IOException {
        storage.persist(null, commands(1, 2, 1), hardState(1, 1));
        storage.persist(null, commands(3, 4, 1), null);

        assertSameState(restart(), state(hardState(1, 1), null, commands(1, 4, 1)));
    }

    static List<Entry> concat(List<Entry> first, List<Entry> second) {
        List<Entry> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
