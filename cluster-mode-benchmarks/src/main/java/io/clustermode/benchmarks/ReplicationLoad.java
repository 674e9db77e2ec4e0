package io.clustermode.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replication load through both APIs, 100-byte values, durable data dirs, three nodes:
 * <ul>
 *   <li>HTTP: three node processes; {@code PUT /kv/{key}} to the primary from {@code c}
 *       asynchronous clients (one request in flight each, over their own connections),
 *       latency measured at the client;</li>
 *   <li>Java: {@link ReplicationBenchmark}'s three {@code RaftNode}s in this process over
 *       loopback TCP with file storage, {@code propose} on the leader.</li>
 * </ul>
 */
public final class ReplicationLoad {

    private ReplicationLoad() {
    }

    /** The HTTP rows: a warm-up of {@code warmupSeconds}, then {@code seconds} measured, per client count. */
    public static List<LoadRow> http(int[] clientCounts, int warmupSeconds, int seconds, Path dir, List<String> hosts)
            throws IOException, InterruptedException {
        List<LoadRow> rows = new ArrayList<>();
        try (ClusterProcesses cluster = new ClusterProcesses(3, Timeouts.DEFAULT, dir, hosts)) {
            cluster.startAll();
            String leader = new ClusterWatch(cluster).awaitHealthy(120_000, 500);
            if (leader == null) {
                throw new IllegalStateException("the HTTP cluster formed no healthy primary within 120 s");
            }
            URI base = cluster.nodes().get(cluster.indexOf(leader)).uri("/kv/");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            for (int clients : clientCounts) {
                measure(client, base, clients, warmupSeconds);
                LoadRow row = measure(client, base, clients, seconds);
                System.out.printf(Locale.ROOT, "  HTTP %d clients: %,.0f writes/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
                        + " %d failed%n", clients, row.perSecond(), row.p50Millis(), row.p99Millis(), row.p999Millis(),
                        row.failed());
                rows.add(row);
            }
        }
        return rows;
    }

    /** The Java API rows ({@link ReplicationBenchmark}: 2 s warm-up, then {@code seconds}). */
    public static List<LoadRow> java(int[] clientCounts, int seconds, Path dir) throws Exception {
        List<LoadRow> rows = new ArrayList<>();
        for (ReplicationBenchmark.Row r : ReplicationBenchmark.run("tcp", "file", clientCounts, seconds, dir)) {
            LoadRow row = new LoadRow("Java", r.clients(), r.perSecond(), r.p50Micros() / 1000, r.p99Micros() / 1000,
                    r.p999Micros() / 1000, r.failed());
            System.out.printf(Locale.ROOT, "  Java %d clients: %,.0f writes/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
                    + " %d failed%n", row.clients(), row.perSecond(), row.p50Millis(), row.p99Millis(),
                    row.p999Millis(), row.failed());
            rows.add(row);
        }
        return rows;
    }

    private static LoadRow measure(HttpClient http, URI base, int clients, int seconds) throws InterruptedException {
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 'v');
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        AtomicLong failed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<?>[] done = new CompletableFuture<?>[clients];
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            latencies[c] = new long[1 << 12];
            done[c] = new CompletableFuture<>();
            loop(http, base, value, c, latencies, counts, failed, stop, done[c]);
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        long elapsed = System.nanoTime() - start;
        CompletableFuture.allOf(done).orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
        int total = Arrays.stream(counts).sum();
        double[] all = new double[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            for (int i = 0; i < counts[c]; i++) {
                all[at++] = latencies[c][i] / 1e6;
            }
        }
        Arrays.sort(all);
        return new LoadRow("HTTP", clients, total / (elapsed / 1e9), Stats.percentile(all, 0.50),
                Stats.percentile(all, 0.99), Stats.percentile(all, 0.999), failed.get());
    }

    /** One client: the next write goes out when the previous one is answered. */
    private static void loop(HttpClient http, URI base, byte[] value, int client, long[][] latencies, int[] counts,
                             AtomicLong failed, AtomicBoolean stop, CompletableFuture<?> done) {
        if (stop.get()) {
            done.complete(null);
            return;
        }
        // A bounded key set per client: the store stays small however long the run.
        URI uri = base.resolve("c" + client + "-" + (counts[client] & 1023));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build();
        long sent = System.nanoTime();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            // Completions of one client follow each other (each is chained to the last): no races.
            if (error != null || response.statusCode() != 200) {
                failed.incrementAndGet();
            } else {
                if (counts[client] == latencies[client].length) {
                    latencies[client] = Arrays.copyOf(latencies[client], latencies[client].length * 2);
                }
                latencies[client][counts[client]++] = System.nanoTime() - sent;
            }
            loop(http, base, value, client, latencies, counts, failed, stop, done);
        });
    }
}
