package io.clustermode.benchmarks;

import io.clustermode.Committed;
import io.clustermode.StateMachine;
import io.clustermode.raft.Configuration;
import io.clustermode.NodeId;
import io.clustermode.raft.Role;
import io.clustermode.runtime.NodeSettings;
import io.clustermode.runtime.RaftNode;
import io.clustermode.storage.FileStorage;
import io.clustermode.storage.MemoryStorage;
import io.clustermode.storage.RaftStorage;
import io.clustermode.transport.InMemoryNetwork;
import io.clustermode.transport.Transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Committed proposals per second and their latency on a 3-node cluster in this process:
 * {@code concurrency} clients each keep one 100-byte proposal in flight (the next one goes
 * out when the previous one is applied on the leader).
 *
 * <pre>
 * java -cp ... io.clustermode.benchmarks.ReplicationBenchmark [--transport tcp|memory]
 *      [--storage file|memory] [--clients 1,16,256] [--seconds 10] [--dir DIR]
 * </pre>
 */
public final class ReplicationBenchmark {

    /** One row of the result table. */
    record Row(int clients, double perSecond, double p50Micros, double p99Micros, double p999Micros, long failed) {
    }

    /** A state machine that only counts: the benchmark measures replication, not the application. */
    static final class Counter implements StateMachine<Long> {
        private long count;

        @Override
        public Long apply(long index, byte[] command) {
            return ++count;
        }

        @Override
        public byte[] snapshot() {
            return java.nio.ByteBuffer.allocate(8).putLong(count).array();
        }

        @Override
        public void restore(byte[] snapshot) {
            count = java.nio.ByteBuffer.wrap(snapshot).getLong();
        }
    }

    private ReplicationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String transport = option(args, "--transport", "tcp");
        String storage = option(args, "--storage", "file");
        int seconds = Integer.parseInt(option(args, "--seconds", "10"));
        int[] clients = Arrays.stream(option(args, "--clients", "1,16,256").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        Path dir = Path.of(option(args, "--dir", Files.createTempDirectory("cluster-mode-bench").toString()));
        List<Row> rows = run(transport, storage, clients, seconds, dir);
        System.out.printf(Locale.ROOT, "3 nodes, %s transport, %s storage, 100-byte commands, %d s per row, %d cores%n",
                transport, storage, seconds, Runtime.getRuntime().availableProcessors());
        System.out.println("| clients | committed/s | p50 ms | p99 ms | p99.9 ms | failed |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Row row : rows) {
            System.out.printf(Locale.ROOT, "| %d | %,.0f | %.3f | %.3f | %.3f | %d |%n", row.clients(), row.perSecond(),
                    row.p50Micros() / 1000, row.p99Micros() / 1000, row.p999Micros() / 1000, row.failed());
        }
        System.exit(0);
    }

    static List<Row> run(String transportKind, String storageKind, int[] clientCounts, int seconds, Path dir)
            throws Exception {
        List<NodeId> ids = List.of(NodeId.of("bench-1"), NodeId.of("bench-2"), NodeId.of("bench-3"));
        Function<NodeId, Transport> transports = transports(transportKind, ids);
        List<RaftNode<Long>> nodes = new ArrayList<>();
        try {
            for (NodeId id : ids) {
                RaftStorage storage = storageKind.equals("file")
                        ? FileStorage.open(dir.resolve(id.value()), "bench", id) : new MemoryStorage();
                RaftNode<Long> node = RaftNode.start(NodeSettings.defaults(id).withSnapshotEvery(100_000), storage,
                        transports.apply(id), new Counter());
                node.bootstrap(Configuration.ofVoters(ids)).get(10, TimeUnit.SECONDS);
                nodes.add(node);
            }
            RaftNode<Long> leader = awaitLeader(nodes);
            List<Row> rows = new ArrayList<>();
            for (int clients : clientCounts) {
                measure(leader, clients, 2); // warm up
                rows.add(measure(leader, clients, seconds));
            }
            return rows;
        } finally {
            nodes.forEach(RaftNode::close);
        }
    }

    private static Function<NodeId, Transport> transports(String kind, List<NodeId> ids) throws IOException {
        if (kind.equals("memory")) {
            InMemoryNetwork network = new InMemoryNetwork();
            return network::transport;
        }
        if (!kind.equals("tcp")) {
            throw new IllegalArgumentException("--transport must be tcp or memory, was " + kind);
        }
        return TcpTransports.forNodes(ids);
    }

    private static RaftNode<Long> awaitLeader(List<RaftNode<Long>> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (RaftNode<Long> node : nodes) {
                if (node.status().role() == Role.LEADER && node.status().commitIndex() >= 2) {
                    return node;
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no leader within 30 s");
    }

    private static Row measure(RaftNode<Long> leader, int clients, int seconds) throws InterruptedException {
        byte[] command = new byte[100];
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        long[] failed = new long[1];
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<?>[] done = new CompletableFuture<?>[clients];
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            latencies[c] = new long[1 << 16];
            done[c] = new CompletableFuture<>();
            loop(leader, command, c, latencies, counts, failed, stop, done[c]);
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        long elapsed = System.nanoTime() - start;
        CompletableFuture.allOf(done).orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
        long total = 0;
        for (int count : counts) {
            total += count;
        }
        long[] all = new long[(int) total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(latencies[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        return new Row(clients, total / (elapsed / 1e9), percentile(all, 0.50), percentile(all, 0.99),
                percentile(all, 0.999), failed[0]);
    }

    private static void loop(RaftNode<Long> leader, byte[] command, int client, long[][] latencies, int[] counts,
                             long[] failed, AtomicBoolean stop, CompletableFuture<?> done) {
        if (stop.get()) {
            done.complete(null);
            return;
        }
        long sent = System.nanoTime();
        CompletableFuture<Committed<Long>> future = leader.propose(command);
        future.whenComplete((committed, error) -> {
            // Completions run on the leader's event loop, one at a time: plain arrays are safe.
            if (error != null) {
                failed[0]++;
            } else {
                if (counts[client] == latencies[client].length) {
                    latencies[client] = Arrays.copyOf(latencies[client], latencies[client].length * 2);
                }
                latencies[client][counts[client]++] = (System.nanoTime() - sent) / 1000;
            }
            loop(leader, command, client, latencies, counts, failed, stop, done);
        });
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
