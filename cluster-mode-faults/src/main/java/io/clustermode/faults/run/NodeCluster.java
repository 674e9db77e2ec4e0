package io.clustermode.faults.run;

import io.clustermode.cli.ClusterInfo;
import io.clustermode.cli.launch.ChildProcess;
import io.clustermode.cli.launch.NodeArgs;
import io.clustermode.cli.launch.NodeLauncher;
import io.clustermode.faults.InfoSample;
import io.clustermode.faults.nemesis.NetworkNamespace;
import io.clustermode.faults.nemesis.NodeControl;
import io.clustermode.transport.HostPort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The node processes of one run: {@code cluster-mode node} started inside the run's network
 * namespace, node {@code i} named {@code n(i+1)} on the namespace's address {@code i}
 * ({@code 127.0.0.(i+2)}), transport on port {@value #TRANSPORT_PORT}, HTTP on
 * {@value #HTTP_PORT}, static discovery over all of them, a data dir {@code <work>/n(i+1)/data}
 * and one log file {@code <work>/n(i+1).log} (stdout and stderr, appended across restarts,
 * each start headed by a line saying so).
 *
 * <p>Implements what the {@link io.clustermode.faults.nemesis.Nemesis} needs: who is primary
 * (asked of every node's {@code /cluster/info} at once), restarts, graceful restarts and
 * leadership transfers (over {@code POST /cluster/transfer-leadership}). A node that exits
 * when nobody stopped it, or does not stop on SIGTERM, or exits with an error code, is a
 * problem of the run ({@link #problems()}), not a reason to stop it.
 */
public final class NodeCluster implements NodeControl, AutoCloseable {

    /** Transport port of every node (each on its own address). */
    public static final int TRANSPORT_PORT = 7600;
    /** HTTP port of every node. */
    public static final int HTTP_PORT = 8600;

    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private static final Duration INFO_TIMEOUT = Duration.ofMillis(700);

    /**
     * How the nodes run.
     *
     * @param launcher          how the program runs (the packaged one, see {@link NodeLauncher#builtJars})
     * @param heartbeatMs       {@code --heartbeat-interval}
     * @param electionTimeoutMs {@code --election-timeout}
     * @param requestTimeoutMs  {@code --request-timeout}
     */
    public record Settings(NodeLauncher launcher, long heartbeatMs, long electionTimeoutMs, long requestTimeoutMs) {
    }

    private final NetworkNamespace ns;
    private final Settings settings;
    private final Path work;
    private final Consumer<String> log;
    private final ChildProcess[] processes;
    private final List<String> problems = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(INFO_TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1).build();

    /**
     * @param ns       the run's namespace (this JVM inside it)
     * @param settings the command and timing
     * @param work     where data dirs and logs go
     * @param log      the runner's log, one line per event
     */
    public NodeCluster(NetworkNamespace ns, Settings settings, Path work, Consumer<String> log) {
        this.ns = ns;
        this.settings = settings;
        this.work = work;
        this.log = log;
        this.processes = new ChildProcess[ns.addresses().size()];
    }

    /** The run's cluster secret, written once: random, readable by the owner only. */
    private Path secretFile() {
        Path file = work.resolve("cluster-secret");
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            new java.security.SecureRandom().nextBytes(secret);
            try {
                Files.createDirectories(work);
                Files.writeString(file, java.util.Base64.getEncoder().encodeToString(secret) + "\n");
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** Node {@code i}'s id. */
    public static String nodeId(int i) {
        return "n" + (i + 1);
    }

    /** Node {@code i}'s HTTP base address. */
    public URI httpUri(int i) {
        return URI.create("http://" + ns.addresses().get(i) + ":" + HTTP_PORT);
    }

    /** Every node's HTTP base address, in node order. */
    public List<URI> httpUris() {
        List<URI> uris = new ArrayList<>();
        for (int i = 0; i < nodes(); i++) {
            uris.add(httpUri(i));
        }
        return uris;
    }

    /** Node {@code i}'s log file. */
    public Path logFile(int i) {
        return work.resolve(nodeId(i) + ".log");
    }

    /** Every node's log file. */
    public List<Path> logFiles() {
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < nodes(); i++) {
            logs.add(logFile(i));
        }
        return logs;
    }

    /** Starts every node. */
    public synchronized void startAll() {
        for (int i = 0; i < nodes(); i++) {
            start(i);
        }
    }

    private synchronized void start(int i) {
        List<HostPort> seeds = new ArrayList<>();
        for (String address : ns.addresses()) {
            seeds.add(new HostPort(address, TRANSPORT_PORT));
        }
        String address = ns.addresses().get(i);
        NodeArgs args = NodeArgs.node(nodeId(i)).bind(new HostPort(address, TRANSPORT_PORT))
                .http(new HostPort(address, HTTP_PORT)).with("--discovery", "static").seeds(seeds)
                .dataDir(work.resolve(nodeId(i)).resolve("data"))
                .timeouts(settings.heartbeatMs(), settings.electionTimeoutMs())
                .requestTimeout(settings.requestTimeoutMs()).updateInterval(1000)
                // The nodes listen beyond loopback (inside the run's namespace): they prove the secret to each other.
                .with("--cluster-secret-file", secretFile().toString())
                // The HTTP API is the harness's own, inside a namespace the run made: no token.
                .with("--http-insecure");
        try {
            Files.writeString(logFile(i), "=== " + LocalTime.now() + " fault runner: starting node " + nodeId(i) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        processes[i] = ns.start(settings.launcher().command(args.toList()), logFile(i));
    }

    /** The node's id and address, e.g. {@code n2 (127.0.0.3)}, as the nemesis's log names it. */
    @Override
    public String name(int node) {
        return nodeId(node) + " (" + ns.addresses().get(node) + ")";
    }

    @Override
    public int nodes() {
        return processes.length;
    }

    @Override
    public synchronized ChildProcess process(int node) {
        return processes[node];
    }

    /**
     * The node that says it is primary in the highest term, asking every node at once (a
     * paused or cut-off node costs one short timeout, not one per node); -1 when none does.
     */
    @Override
    public int primary() {
        List<InfoSample> samples = poll();
        InfoSample best = null;
        for (InfoSample s : samples) {
            if (s.isPrimary() && (best == null || s.term() > best.term())) {
                best = s;
            }
        }
        return best == null ? -1 : indexOf(best.nodeId());
    }

    /** One {@code /cluster/info} answer of every node that answers within a short timeout. */
    public List<InfoSample> poll() {
        List<CompletableFuture<InfoSample>> answers = new ArrayList<>();
        for (int i = 0; i < nodes(); i++) {
            answers.add(ClusterInfo.fetch(http, httpUri(i), INFO_TIMEOUT)
                    .thenApply(info -> InfoSample.of(info, System.nanoTime()))
                    .exceptionally(e -> null));
        }
        List<InfoSample> samples = new ArrayList<>();
        for (CompletableFuture<InfoSample> answer : answers) {
            InfoSample s = answer.join();
            if (s != null) {
                samples.add(s);
            }
        }
        return samples;
    }

    private int indexOf(String nodeId) {
        for (int i = 0; i < nodes(); i++) {
            if (nodeId(i).equals(nodeId)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Waits until one node is primary and every node answers, naming that primary and listing
     * all nodes as voters (the cluster has formed and promoted every member).
     */
    public boolean awaitFormed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (formed()) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    private boolean formed() {
        int primary = primary();
        if (primary < 0) {
            return false;
        }
        try {
            ClusterInfo info = ClusterInfo.fetch(http, httpUri(primary), INFO_TIMEOUT).get();
            return info.voterCount() == nodes() && poll().size() == nodes();
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void restart(int node) {
        ChildProcess old = process(node);
        OptionalInt code = old.awaitExit(Duration.ofSeconds(10));
        if (code.isEmpty()) {
            problem("node " + nodeId(node) + " was still running when it was to be restarted after kill -9");
            ChildProcess.killAll(List.of(old));
        } else if (code.getAsInt() != 137) {
            problem("node " + nodeId(node) + " had exited with code " + code.getAsInt()
                    + " before its kill -9 was undone");
        }
        start(node);
    }

    @Override
    public void gracefulRestart(int node) {
        ChildProcess old = process(node);
        // A JVM still booting has no handler for SIGTERM yet and would end with 143: wait until
        // the node serves (a real operator stops running nodes, not half-started ones).
        if (!NodeLauncher.awaitServing(old, httpUri(node), STOP_WAIT)) {
            log.accept("node " + nodeId(node) + " does not answer yet; stopping it anyway");
        }
        old.terminate();
        OptionalInt code = old.awaitExit(STOP_WAIT);
        if (code.isEmpty()) {
            problem("node " + nodeId(node) + " did not stop within " + STOP_WAIT.toSeconds() + " s of SIGTERM");
            ChildProcess.killAll(List.of(old));
        } else if (code.getAsInt() != 0) {
            problem("node " + nodeId(node) + " exited with code " + code.getAsInt() + " after SIGTERM (expected 0)");
        }
        start(node);
    }

    /** {@code POST /cluster/transfer-leadership} to the primary; the answer is logged. */
    @Override
    public void transferLeadership() {
        int primary = primary();
        if (primary < 0) {
            log.accept("no primary to transfer leadership from");
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(httpUri(primary).resolve("/cluster/transfer-leadership"))
                .timeout(Duration.ofMillis(settings.requestTimeoutMs() + 2000))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            log.accept("transfer-leadership from " + nodeId(primary) + ": " + r.statusCode() + " " + r.body());
        } catch (IOException e) {
            log.accept("transfer-leadership from " + nodeId(primary) + ": no answer (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Notes, as problems, the nodes not running now (every node should be, after the final heal). */
    public synchronized void checkAllRunning() {
        for (int i = 0; i < nodes(); i++) {
            if (!processes[i].isAlive()) {
                problem("node " + nodeId(i) + " is not running after the final heal (exit code "
                        + processes[i].awaitExit(Duration.ZERO).orElse(-1) + ")");
            }
        }
    }

    /** What went wrong with the processes themselves. */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    private synchronized void problem(String what) {
        problems.add(what);
        log.accept("problem: " + what);
    }

    /** Kills every node (the namespace's owner cleans up too). */
    @Override
    public synchronized void close() {
        ChildProcess.killAll(Arrays.asList(processes));
    }
}
