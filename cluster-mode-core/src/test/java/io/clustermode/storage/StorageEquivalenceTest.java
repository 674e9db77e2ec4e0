package io.clustermode.storage;

import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.raft.Snapshot;
import io.clustermode.raft.SnapshotMeta;
import io.clustermode.storage.RaftStorage.StoredState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.clustermode.storage.Fixtures.N1;
import static io.clustermode.storage.Fixtures.assertSameState;

/**
 * Random sequences of persist, saveSnapshot and restart leave a {@link FileStorage} (with tiny
 * segments, so that writes cross them all the time) loading exactly what a
 * {@link MemoryStorage} given the same calls holds.
 *
 * <p>Operations carry raw random numbers that are turned into calls a Raft core could make in
 * the state reached so far: entries never overwrite the committed prefix, the commit index
 * never passes the log's end, a local snapshot never passes the commit index.
 */
class StorageEquivalenceTest {

    private static final long SEGMENT_BYTES = 300;

    sealed interface Op permits Append, LeaderSnapshot, LocalSnapshot, Restart {
    }

    /** Entries from somewhere after the commit index to one past the end. */
    record Append(int where, int count, long seed, boolean withHardState) implements Op {
    }

    /** A snapshot from the leader at or after the commit index, with entries after it. */
    record LeaderSnapshot(int ahead, int count, long seed) implements Op {
    }

    /** A snapshot of the applied state, possibly older than the stored one. */
    record LocalSnapshot(int where) implements Op {
    }

    record Restart() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Op> append = Combinators.combine(Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(1, 8), Arbitraries.longs(), Arbitraries.of(true, false)).as(Append::new);
        Arbitrary<Op> leader = Combinators.combine(Arbitraries.integers().between(0, 12),
                Arbitraries.integers().between(0, 4), Arbitraries.longs()).as(LeaderSnapshot::new);
        Arbitrary<Op> local = Arbitraries.integers().between(0, 1000).map(LocalSnapshot::new);
        Arbitrary<Op> restart = Arbitraries.just(new Restart());
        return Arbitraries.frequencyOf(Tuple.of(8, append), Tuple.of(1, leader), Tuple.of(2, local), Tuple.of(2, restart))
                .list().ofMinSize(10).ofMaxSize(50);
    }

    @Property(tries = 60, edgeCases = EdgeCasesMode.NONE)
    void file_storage_loads_what_memory_storage_holds_after_the_same_calls(@ForAll("operations") List<Op> ops)
            throws IOException {
        Path dir = Files.createTempDirectory("storage-property");
        FileStorage file = FileStorage.open(dir, "property", N1, SEGMENT_BYTES);
        try {
            file.load();
            Model model = new Model();
            for (Op op : ops) {
                if (op instanceof Restart) {
                    file.close();
                    file = FileStorage.open(dir, "property", N1, SEGMENT_BYTES);
                    assertSameState(file.load(), model.memory.load());
                } else {
                    model.apply(op, file);
                }
            }
            file.close();
            file = FileStorage.open(dir, "property", N1, SEGMENT_BYTES);
            assertSameState(file.load(), model.memory.load());
        } finally {
            file.close();
            deleteRecursively(dir);
        }
    }

    /** The reference storage, and the Raft state that keeps generated calls legal. */
    private static final class Model {
        final MemoryStorage memory = new MemoryStorage();
        long term = 1;

        void apply(Op op, RaftStorage file) throws IOException {
            StoredState state = memory.load();
            long snapshotIndex = state.snapshot() == null ? 0 : state.snapshot().index();
            long last = state.entries().isEmpty() ? snapshotIndex : state.entries().get(state.entries().size() - 1).index();
            long commit = state.hardState().commit();
            if (op instanceof Append append) {
                long floor = Math.max(snapshotIndex, commit);
                long first = floor + 1 + append.where() % (last - floor + 1);
                if (first <= last) {
                    term++;
                }
                List<Entry> entries = entries(first, append.count(), append.seed());
                long newLast = first + append.count() - 1;
                HardState hardState = append.withHardState()
                        ? new HardState(term, N1, commit + Math.floorMod(append.seed(), newLast - commit + 1)) : null;
                both(file, null, entries, hardState);
            } else if (op instanceof LeaderSnapshot leader) {
                term++;
                long index = Math.max(snapshotIndex, commit) + leader.ahead();
                Snapshot snapshot = new Snapshot(new SnapshotMeta(index, term, Fixtures.CONFIG), bytes(leader.seed(), 30));
                both(file, snapshot, entries(index + 1, leader.count(), leader.seed()), new HardState(term, N1, index));
            } else if (op instanceof LocalSnapshot local) {
                long index = commit == 0 ? 0 : 1 + local.where() % commit;
                Snapshot snapshot = new Snapshot(new SnapshotMeta(index, term, Fixtures.CONFIG), bytes(index, 20));
                memory.saveSnapshot(snapshot);
                file.saveSnapshot(snapshot);
            }
        }

        private void both(RaftStorage file, Snapshot snapshot, List<Entry> entries, HardState hardState)
                throws IOException {
            memory.persist(snapshot, entries, hardState);
            file.persist(snapshot, entries, hardState);
        }

        private List<Entry> entries(long first, int count, long seed) {
            Random random = new Random(seed);
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long index = first + i;
                entries.add(switch (random.nextInt(8)) {
                    case 0 -> Entry.noop(index, term);
                    case 1 -> Entry.configuration(index, term, Fixtures.CONFIG);
                    default -> Entry.command(index, term, bytes(random.nextLong(), random.nextInt(60)));
                });
            }
            return entries;
        }

        private static byte[] bytes(long seed, int length) {
            byte[] bytes = new byte[length];
            new Random(seed).nextBytes(bytes);
            return bytes;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
