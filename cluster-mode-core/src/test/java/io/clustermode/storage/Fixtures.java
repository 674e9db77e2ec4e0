package io.clustermode.storage;

import io.clustermode.raft.Configuration;
import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.NodeId;
import io.clustermode.raft.Snapshot;
import io.clustermode.raft.SnapshotMeta;
import io.clustermode.storage.RaftStorage.StoredState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Values for storage tests. */
final class Fixtures {

    static final NodeId N1 = NodeId.of("n1");
    static final NodeId N2 = NodeId.of("n2");
    static final Configuration CONFIG = Configuration.ofVoters(N1, N2, NodeId.of("n3"));

    private Fixtures() {
    }

    /** A command whose bytes tell its index and term apart from any other's. */
    static Entry command(long index, long term) {
        return Entry.command(index, term, ("cmd-" + index + "@" + term).getBytes());
    }

    /** Commands {@code from..to} of {@code term}. */
    static List<Entry> commands(long from, long to, long term) {
        List<Entry> entries = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            entries.add(command(i, term));
        }
        return entries;
    }

    static Snapshot snapshot(long index, long term) {
        return new Snapshot(new SnapshotMeta(index, term, CONFIG), ("state@" + index).getBytes());
    }

    static HardState hardState(long term, long commit) {
        return new HardState(term, N1, commit);
    }

    static StoredState state(HardState hardState, Snapshot snapshot, List<Entry> entries) {
        return new StoredState(hardState, snapshot, entries);
    }

    /** Compares byte arrays by content, which the records' own equals does not. */
    static void assertSameState(StoredState actual, StoredState expected) {
        assertThat(actual.hardState()).isEqualTo(expected.hardState());
        if (expected.snapshot() == null) {
            assertThat(actual.snapshot()).isNull();
        } else {
            assertThat(actual.snapshot()).isNotNull();
            assertThat(actual.snapshot().meta()).isEqualTo(expected.snapshot().meta());
            assertThat(actual.snapshot().data()).isEqualTo(expected.snapshot().data());
        }
        assertThat(describe(actual.entries())).containsExactlyElementsOf(describe(expected.entries()));
    }

    static List<String> describe(List<Entry> entries) {
        List<String> out = new ArrayList<>();
        for (Entry entry : entries) {
            out.add(entry + " " + Arrays.toString(entry.data()));
        }
        return out;
    }

    static List<Long> indexes(StoredState state) {
        return state.entries().stream().map(Entry::index).toList();
    }
}
