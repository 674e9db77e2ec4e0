package io.clustermode.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failover of real node processes: {@code N} processes of {@code bin/cluster-mode node} on
 * loopback, the primary killed with SIGKILL, and the time until every survivor's
 * {@code /cluster/info} names the same new primary, polling every node every 2 ms. The killed
 * node is restarted from its data dir before the next trial. Trials with no new primary within
 * 30 s are counted as failed, never dropped.
 *
 * <pre>
 * java -cp ... io.clustermode.benchmarks.ProcessFailoverBenchmark [--nodes 3] [--trials 30]
 *      [--heartbeat 100] [--election-timeout 1000]
 * </pre>
 * Needs the program built ({@code ./mvnw -q -DskipTests package}); run from the repository root.
 */
public final class ProcessFailoverBenchmark {

    private static final Pattern LEADER = Pattern.compile("\"leaderId\":\\s*\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();

    private record Node(String id, int transport, int http, Path dataDir) {
    }

    private ProcessFailoverBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(option(args, "--nodes", "3"));
        int trials = Integer.parseInt(option(args, "--trials", "30"));
        String heartbeat = option(args, "--heartbeat", "100");
        String election = option(args, "--election-timeout", "1000");
        Path dir = Files.createTempDirectory("cluster-mode-process-failover");
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            nodes.add(new Node("n" + i, freePort(), freePort(), dir.resolve("n" + i)));
        }
        String seeds = String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.transport()).toList());
        Process[] processes = new Process[count];
        try {
            for (int i = 0; i < count; i++) {
                processes[i] = start(nodes.get(i), seeds, heartbeat, election);
            }
            awaitAgreement(nodes, processes, null, 60_000);
            Thread.sleep(3_000); // every node promoted, quiet
            List<Double> times = new ArrayList<>();
            int failed = 0;
            for (int trial = 0; trial < trials; trial++) {
                String old = awaitAgreement(nodes, processes, null, 60_000);
                int victim = indexOf(nodes, old);
                long start = System.nanoTime();
                processes[victim].destroyForcibly();
                String fresh = awaitAgreement(nodes, processes, old, 30_000);
                if (fresh == null) {
                    failed++;
                } else {
                    times.add((System.nanoTime() - start) / 1e6);
                }
                processes[victim].waitFor();
                processes[victim] = start(nodes.get(victim), seeds, heartbeat, election);
                Thread.sleep(2_000); // the restarted node catches up and the cluster is quiet again
            }
            report(count, heartbeat, election, times, failed);
        } finally {
            for (Process process : processes) {
                if (process != null) {
                    process.destroyForcibly();
                }
            }
        }
        System.exit(0);
    }

    private static void report(int count, String heartbeat, String election, List<Double> times, int failed) {
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double minElection = Double.parseDouble(election);
        System.out.printf(Locale.ROOT, "%d node processes, kill -9 of the primary, heartbeat %s ms, election timeout"
                + " %s ms: %d trials, %d failed%n", count, heartbeat, election, sorted.length + failed, failed);
        if (sorted.length == 0) {
            return;
        }
        double p50 = percentile(sorted, 0.50);
        double p99 = percentile(sorted, 0.99);
        System.out.println("| p50 ms | p90 ms | p99 ms | max ms | p50 / min election timeout | p99 / min election timeout |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
        System.out.printf(Locale.ROOT, "| %.0f | %.0f | %.0f | %.0f | %.2f | %.2f |%n", p50, percentile(sorted, 0.90), p99,
                sorted[sorted.length - 1], p50 / minElection, p99 / minElection);
        System.out.println("raw ms: " + Arrays.toString(Arrays.stream(sorted).map(Math::round).toArray()));
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** Waits until every live node names the same primary, other than {@code not}; null on timeout. */
    private static String awaitAgreement(List<Node> nodes, Process[] processes, String not, long millis)
            throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            String agreed = null;
            boolean all = true;
            for (int i = 0; i < nodes.size() && all; i++) {
                if (!processes[i].isAlive()) {
                    continue;
                }
                String leader = leaderOf(nodes.get(i));
                if (leader == null || leader.equals(not) || (agreed != null && !agreed.equals(leader))) {
                    all = false;
                }
                agreed = leader;
            }
            if (all && agreed != null && indexOf(nodes, agreed) >= 0 && processes[indexOf(nodes, agreed)].isAlive()) {
                return agreed;
            }
            Thread.sleep(2);
        }
        return null;
    }

    private static String leaderOf(Node node) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.http() + "/cluster/info")).timeout(Duration.ofMillis(500))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Matcher matcher = LEADER.matcher(response.body());
            return matcher.find() ? matcher.group(1) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int indexOf(List<Node> nodes, String id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static Process start(Node node, String seeds, String heartbeat, String election) throws IOException {
        Path root = Path.of("").toAbsolutePath();
        String classpath = root.resolve("cluster-mode-cli/target/cluster-mode-cli-0.1.0-SNAPSHOT.jar") + File.pathSeparator
                + root.resolve("cluster-mode-cli/target/lib/*");
        Path log = node.dataDir().resolveSibling(node.id() + ".log");
        Files.createDirectories(node.dataDir().getParent());
        return new ProcessBuilder(Objects.requireNonNull(System.getProperty("java.home")) + "/bin/java", "-cp",
                classpath, "io.clustermode.cli.Main", "node", "--node-id", node.id(),
                "--bind", "127.0.0.1:" + node.transport(), "--http", "127.0.0.1:" + node.http(), "--seeds", seeds,
                "--data-dir", node.dataDir().toString(), "--heartbeat-interval", heartbeat,
                "--election-timeout", election)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
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
