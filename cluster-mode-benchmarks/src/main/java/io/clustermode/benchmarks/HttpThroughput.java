package io.clustermode.benchmarks;

import io.clustermode.cli.ClusterInfo;
import io.clustermode.transport.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP key-value API's throughput beside etcd's: three durable node processes (then three
 * etcd members) on loopback, one after the other, each driven by the same
 * {@link HttpLoadGenerator} with {@value #CONNECTIONS} requests in flight through the four
 * {@link ThroughputCase}s; before them, the generator's own ceiling against {@code GET /health}.
 * CPU per process is measured in every window. When etcd is not installed its rows are left
 * out and the result says why.
 */
public final class HttpThroughput {

    /** Requests in flight: one per kept-alive connection. */
    public static final int CONNECTIONS = 256;
    /** Bytes per value. */
    public static final int VALUE_BYTES = 100;
    /** An answer later than this is a timeout error (the nodes' own request timeout is 5 s). */
    static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    /** Warm-up of a load after the first on the same processes, at most (their JIT has done its first work). */
    static final int LATER_WARMUP_SECONDS = 5;
    /** How the CPU columns name the processes. */
    public static final List<String> PROCESSES = List.of("generator", "leader", "follower 1", "follower 2");

    /**
     * Everything the part measured.
     *
     * @param connections   requests in flight
     * @param threads       the generator's event-loop threads
     * @param warmupSeconds warm-up of the ceiling and of the first write load on each cluster (the
     *                      loads after it: at most {@value #LATER_WARMUP_SECONDS} s)
     * @param seconds       measured window of every load
     * @param ceiling       the generator against {@code GET /health} on the primary; null when not measured
     * @param ours          cluster-mode's rows
     * @param etcd          etcd's rows; empty when etcd did not run
     * @param etcdVersion   the etcd version, or null when it did not run
     * @param notes         what the reader must know: etcd missing, a leader change, a failed check
     */
    public record Result(int connections, int threads, int warmupSeconds, int seconds, HttpLoadResult ceiling,
                         Map<ThroughputCase, HttpLoadResult> ours, Map<ThroughputCase, HttpLoadResult> etcd,
                         String etcdVersion, List<String> notes) {
    }

    private final HttpLoadGenerator generator;
    private final int warmupSeconds;
    private final int seconds;
    private final byte[] value = new byte[VALUE_BYTES];
    private final List<String> notes = new ArrayList<>();

    private HttpThroughput(int threads, int warmupSeconds, int seconds) {
        this.generator = new HttpLoadGenerator(CONNECTIONS, threads, REQUEST_TIMEOUT_MILLIS);
        this.warmupSeconds = warmupSeconds;
        this.seconds = seconds;
        Arrays.fill(value, (byte) 'v');
    }

    /** Runs the part: the ceiling and cluster-mode's rows, then etcd's. */
    public static Result run(int threads, int warmupSeconds, int seconds, Path dir, List<String> hosts)
            throws IOException, InterruptedException {
        return new HttpThroughput(threads, warmupSeconds, seconds).run(dir, hosts);
    }

    private Result run(Path dir, List<String> hosts) throws IOException, InterruptedException {
        Map<ThroughputCase, HttpLoadResult> ours = new EnumMap<>(ThroughputCase.class);
        HttpLoadResult ceiling = ours(dir.resolve("nodes"), hosts, ours);
        Map<ThroughputCase, HttpLoadResult> etcd = new EnumMap<>(ThroughputCase.class);
        String version = null;
        Optional<Path> binary = EtcdCluster.findBinary();
        if (binary.isEmpty()) {
            notes.add("etcd is not installed (no `etcd` on the PATH), so its rows are missing: `apt-get install"
                    + " etcd-server` (Debian 12: etcd 3.4.23) and run again; `bin/benchmarks` does that itself as root.");
        } else {
            version = EtcdCluster.version(binary.get());
            etcd(binary.get(), dir.resolve("etcd"), hosts, etcd);
        }
        return new Result(CONNECTIONS, generator.threads(), warmupSeconds, seconds, ceiling, ours, etcd, version,
                List.copyOf(notes));
    }

    private HttpLoadResult ours(Path dir, List<String> hosts, Map<ThroughputCase, HttpLoadResult> rows)
            throws IOException, InterruptedException {
        try (ClusterProcesses cluster = new ClusterProcesses(3, Timeouts.DEFAULT, dir, hosts)) {
            cluster.startAll();
            String leaderId = new ClusterWatch(cluster).awaitHealthy(120_000, 500);
            if (leaderId == null) {
                throw new IllegalStateException("the cluster formed no healthy primary within 120 s");
            }
            int leader = cluster.indexOf(leaderId);
            int[] order = leaderFirst(leader, cluster.size());
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put(PROCESSES.get(0), CpuMeter.thisJvm());
            for (int i = 0; i < order.length; i++) {
                pids.put(PROCESSES.get(i + 1), cluster.pid(order[i]));
            }
            ClusterProcesses.Node primary = cluster.nodes().get(leader);
            ClusterProcesses.Node secondary = cluster.nodes().get(order[1]);
            System.out.println("  cluster-mode: primary " + primary.id() + ", secondary asked " + secondary.id());
            HttpLoadResult ceiling = load("generator ceiling: GET /health at the primary", address(primary),
                    HttpRequests.health(hostPort(primary), CONNECTIONS), warmupSeconds, pids);
            for (ThroughputCase c : ThroughputCase.values()) {
                ClusterProcesses.Node target = c.atPrimary() ? primary : secondary;
                rows.put(c, load("cluster-mode " + c.label(), address(target),
                        c.ours(hostPort(target), CONNECTIONS, value), warmup(c), pids));
                if (c == ThroughputCase.PUT_THROUGH_SECONDARY) {
                    checkOurValue(primary);
                }
                ClusterInfo[] infos = cluster.poll(1000);
                if (infos[leader] == null || !infos[leader].isPrimary()) {
                    notes.add("cluster-mode's primary " + leaderId + " was no longer primary after the row \""
                            + c.label() + "\"; the rows after it are suspect.");
                }
            }
            return ceiling;
        }
    }

    private void etcd(Path binary, Path dir, List<String> hosts, Map<ThroughputCase, HttpLoadResult> rows)
            throws IOException, InterruptedException {
        try (EtcdCluster etcd = new EtcdCluster(binary, 3, dir, hosts)) {
            etcd.startAll();
            int leader = etcd.awaitLeader(60_000);
            if (leader < 0) {
                throw new IllegalStateException("the etcd members agreed on no leader within 60 s");
            }
            int[] order = leaderFirst(leader, etcd.members().size());
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put(PROCESSES.get(0), CpuMeter.thisJvm());
            for (int i = 0; i < order.length; i++) {
                pids.put(PROCESSES.get(i + 1), etcd.pid(order[i]));
            }
            EtcdCluster.Member leaderMember = etcd.members().get(leader);
            EtcdCluster.Member follower = etcd.members().get(order[1]);
            System.out.println("  etcd: leader " + leaderMember.name() + ", follower asked " + follower.name());
            for (ThroughputCase c : ThroughputCase.values()) {
                EtcdCluster.Member target = c.atPrimary() ? leaderMember : follower;
                String hostPort = new HostPort(target.host(), target.client()).toString();
                rows.put(c, load("etcd " + c.label(), new InetSocketAddress(target.host(), target.client()),
                        c.etcd(hostPort, CONNECTIONS, value), warmup(c), pids));
                if (c == ThroughputCase.PUT_THROUGH_SECONDARY) {
                    String answer = etcd.post(leader, "/v3/kv/range", 
                            new String(EtcdJson.range(HttpRequests.key(0, 0)), StandardCharsets.US_ASCII));
                    if (answer == null || !EtcdJson.rangeHolds(answer, value)) {
                        notes.add("etcd did not give back a written value after its write rows: " + answer);
                    }
                }
                if (etcd.awaitLeader(5_000) != leader) {
                    notes.add("etcd's leader changed during the row \"" + c.label() + "\"; the rows after it are"
                            + " suspect.");
                }
            }
        }
    }

    /** The first write load warms a cluster up fully; the loads after it find the processes warm. */
    private int warmup(ThroughputCase c) {
        return c == ThroughputCase.PUT_TO_PRIMARY ? warmupSeconds : Math.min(warmupSeconds, LATER_WARMUP_SECONDS);
    }

    private HttpLoadResult load(String name, InetSocketAddress target, HttpRequests requests, int warmup,
                                Map<String, Long> pids) throws InterruptedException {
        HttpLoadResult r = generator.run(target, requests, warmup, seconds, new CpuMeter(pids));
        StringBuilder cpu = new StringBuilder();
        r.cpuCores().forEach((process, cores) -> cpu.append(String.format(Locale.ROOT, " %s %.2f", process, cores)));
        System.out.printf(Locale.ROOT, "  %s: %,.0f/s, p50 %.2f ms, p99 %.2f ms, errors %s; CPU cores:%s%n", name,
                r.perSecond(), r.p50Millis(), r.p99Millis(), r.errorsText(), cpu);
        return r;
    }

    /** The read rows read what the write rows wrote: a last write must be there, whole. */
    private void checkOurValue(ClusterProcesses.Node primary) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = primary.uri("/kv/" + HttpRequests.key(0, 0));
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200 || !Arrays.equals(r.body(), value)) {
                notes.add("cluster-mode did not give back a written value after its write rows (status "
                        + r.statusCode() + ").");
            }
        } catch (IOException e) {
            notes.add("cluster-mode's primary did not answer a read after the write rows: " + e);
        }
    }

    /** Node indexes with the leader first, then the others in order (the first of them is the one asked). */
    static int[] leaderFirst(int leader, int size) {
        int[] order = new int[size];
        order[0] = leader;
        int at = 1;
        for (int i = 0; i < size; i++) {
            if (i != leader) {
                order[at++] = i;
            }
        }
        return order;
    }

    private static InetSocketAddress address(ClusterProcesses.Node node) {
        return new InetSocketAddress(node.host(), node.http());
    }

    private static String hostPort(ClusterProcesses.Node node) {
        return new HostPort(node.host(), node.http()).toString();
    }
}
