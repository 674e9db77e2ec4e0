package io.clustermode.storage;

import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Measures {@link FileStorage#persist} throughput with 1, 16 and 256 entries of 100 bytes per
 * call, with and without a changed hard state (a follower's commit moves nearly every batch; a
 * hard state left unchanged skips its file rewrite). Not a test: run by hand, with the test
 * classpath, from the module directory:
 *
 * <pre>java -cp target/classes:target/test-classes:&lt;deps&gt; io.clustermode.storage.PersistThroughput [dir] [seconds]</pre>
 *
 * The directory (default {@code target/persist-throughput}) must be on the disk to measure,
 * not a tmpfs.
 */
public final class PersistThroughput {

    private PersistThroughput() {
    }

    /** Runs the measurement; prints one line per configuration. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/persist-throughput");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        System.out.printf("%-9s %-10s %10s %12s %10s %10s %10s%n", "entries", "hardstate", "calls/s", "entries/s",
                "MB/s", "p50 ms", "p99 ms");
        for (boolean withHardState : new boolean[]{false, true}) {
            for (int batch : new int[]{1, 16, 256}) {
                run(dir, batch, withHardState, 0.5);
                run(dir, batch, withHardState, seconds);
            }
        }
    }

    private static void run(Path dir, int batch, boolean withHardState, double seconds) throws IOException {
        deleteRecursively(dir);
        long[] latencies = new long[1 << 20];
        int calls = 0;
        long next = 1;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        try (FileStorage storage = FileStorage.open(dir, "bench", Fixtures.N1)) {
            storage.load();
            while (System.nanoTime() < end && calls < latencies.length) {
                List<Entry> entries = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    entries.add(Entry.command(next + i, 1, new byte[100]));
                }
                next += batch;
                HardState hardState = withHardState ? new HardState(1, Fixtures.N1, next - 1) : null;
                long before = System.nanoTime();
                storage.persist(null, entries, hardState);
                latencies[calls++] = System.nanoTime() - before;
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (seconds < 1) {
            return;
        }
        long[] sorted = Arrays.copyOf(latencies, calls);
        Arrays.sort(sorted);
        double entriesPerSecond = calls * (double) batch / elapsed;
        System.out.printf("%-9d %-10s %10.0f %12.0f %10.1f %10.3f %10.3f%n", batch, withHardState ? "changed" : "unchanged",
                calls / elapsed, entriesPerSecond, entriesPerSecond * Records.size(Entry.command(1_000_000, 1, new byte[100])) / 1e6,
                sorted[calls / 2] / 1e6, sorted[(int) (calls * 0.99)] / 1e6);
        deleteRecursively(dir);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
