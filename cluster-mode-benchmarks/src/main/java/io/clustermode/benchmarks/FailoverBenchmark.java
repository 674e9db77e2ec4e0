package io.clustermode.benchmarks;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.Member;
import io.clustermode.NodeId;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How long a 3-node cluster on loopback TCP (Netty, file storage, in this process) is without
 * a primary known to every surviving node, for two events:
 * <ul>
 *   <li><b>handoff</b>: {@code close()} of the primary, which hands over first;</li>
 *   <li><b>stop</b>: the primary's node stops without handing over (its sockets close).</li>
 * </ul>
 * Default timeouts (heartbeat 100 ms, election timeout 1 s) unless given.
 *
 * <pre>java -cp ... io.clustermode.benchmarks.FailoverBenchmark [--trials 10] [--election-timeout 1000] [--heartbeat 100]</pre>
 */
public final class FailoverBenchmark {

    private FailoverBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int trials = Integer.parseInt(option(args, "--trials", "10"));
        Duration election = Duration.ofMillis(Long.parseLong(option(args, "--election-timeout", "1000")));
        Duration heartbeat = Duration.ofMillis(Long.parseLong(option(args, "--heartbeat", "100")));
        double[] handoff = new double[trials];
        double[] stop = new double[trials];
        for (int i = 0; i < trials; i++) {
            handoff[i] = trial(true, election, heartbeat);
            stop[i] = trial(false, election, heartbeat);
        }
        System.out.printf(Locale.ROOT, "3 nodes, loopback TCP, file storage, heartbeat %d ms, election timeout %d ms,"
                + " %d trials each%n", heartbeat.toMillis(), election.toMillis(), trials);
        System.out.println("| event | p50 ms | p90 ms | max ms |");
        System.out.println("| --- | ---: | ---: | ---: |");
        print("close() of the primary (hand-over)", handoff);
        print("primary stops without hand-over", stop);
        System.exit(0);
    }

    private static void print(String name, double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", name, sorted[sorted.length / 2],
                sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))], sorted[sorted.length - 1]);
    }

    /** Milliseconds from the event until every surviving node knows the same new primary. */
    private static double trial(boolean graceful, Duration election, Duration heartbeat) throws Exception {
        Path dir = Files.createTempDirectory("cluster-mode-failover");
        List<String> seeds = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int port = freePort();
            ports.add(port);
            seeds.add("127.0.0.1:" + port);
        }
        List<Cluster<Void, ?>> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(Cluster.start(ClusterConfig.builder()
                        .nodeId(NodeId.of("n" + i))
                        .bind("127.0.0.1:" + ports.get(i))
                        .seeds(seeds)
                        .dataDir(dir.resolve("n" + i))
                        .heartbeatInterval(heartbeat)
                        .electionTimeout(election)
                        .updateInterval(Duration.ofMillis(200))
                        .build()));
            }
            Cluster<Void, ?> primary = awaitAgreement(nodes, null, Duration.ofSeconds(60));
            // Let the cluster settle: all three voters.
            long settle = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (primary.members().stream().filter(Member::voter).count() < 3 && System.nanoTime() < settle) {
                Thread.sleep(5);
            }
            Thread.sleep(3 * heartbeat.toMillis());
            long start = System.nanoTime();
            if (graceful) {
                primary.close();
            } else {
                primary.closeNow();
            }
            List<Cluster<Void, ?>> survivors = new ArrayList<>(nodes);
            survivors.remove(primary);
            awaitAgreement(survivors, primary.id(), Duration.ofSeconds(60));
            return (System.nanoTime() - start) / 1e6;
        } finally {
            for (Cluster<Void, ?> node : nodes) {
                node.close();
            }
        }
    }

    private static Cluster<Void, ?> awaitAgreement(List<Cluster<Void, ?>> nodes, NodeId not, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Member> first = nodes.get(0).primary();
            if (first.isPresent() && !first.get().id().equals(not)
                    && nodes.stream().allMatch(n -> n.primary().map(Member::id).equals(Optional.of(first.get().id())))) {
                for (Cluster<Void, ?> node : nodes) {
                    if (node.id().equals(first.get().id())) {
                        return node;
                    }
                }
            }
            Thread.sleep(0, 200_000);
        }
        throw new IllegalStateException("no agreed primary within " + timeout);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
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
