package io.clustermode.benchmarks;

import io.clustermode.cli.ClusterInfo;
import io.clustermode.cli.launch.ChildProcess;
import io.clustermode.cli.launch.NodeArgs;
import io.clustermode.cli.launch.NodeLauncher;
import io.clustermode.transport.HostPort;

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
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code N} node processes of the command-line program ({@code io.clustermode.cli.Main node}),
 * each with its own durable data dir under one directory, on loopback: either on the given
 * hosts (a network namespace's 127.0.0.2, 127.0.0.3, ...) with fixed ports, or all on
 * 127.0.0.1 with free ports. Nodes are started, signalled and polled by index.
 *
 * <p>One benchmark thread drives it; another may watch it ({@link #nodes()}, {@link #process(int)}).
 * {@link #close()} kills every process still running; a shutdown hook does the same if the JVM
 * exits first.
 */
public final class ClusterProcesses implements AutoCloseable {

    /** One node's place: id, host, transport and HTTP ports, data dir. */
    public record Node(String id, String host, int transport, int http, Path dataDir) {

        /** The HTTP base address. */
        public URI uri(String path) {
            return URI.create("http://" + host + ":" + http + path);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300))
            .version(HttpClient.Version.HTTP_1_1).build();

    private final List<Node> nodes = new ArrayList<>();
    private final AtomicReferenceArray<ChildProcess> processes;
    private final Timeouts timeouts;
    private final List<HostPort> seeds;
    private final NodeLauncher launcher;
    private List<String> extra = List.of();
    private final Thread hook = new Thread(this::killAll, "cluster-processes-cleanup");

    /**
     * Places (does not start) {@code count} nodes under {@code dir}.
     *
     * @param hosts one loopback address per node, or null for 127.0.0.1 and free ports
     */
    public ClusterProcesses(int count, Timeouts timeouts, Path dir, List<String> hosts) throws IOException {
        this.timeouts = timeouts;
        this.processes = new AtomicReferenceArray<>(count);
        // The packaged program with the JVM's defaults: the figures are a user's.
        this.launcher = NodeLauncher.builtJars(BenchmarkReport.repositoryRoot(), List.of());
        for (int i = 0; i < count; i++) {
            boolean own = hosts != null;
            nodes.add(new Node("n" + (i + 1), own ? hosts.get(i) : "127.0.0.1", own ? 7600 : freePort(),
                    own ? 8600 : freePort(), dir.resolve("n" + (i + 1))));
        }
        this.seeds = nodes.stream().map(n -> new HostPort(n.host(), n.transport())).toList();
        Files.createDirectories(dir);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The nodes, by index. */
    public List<Node> nodes() {
        return nodes;
    }

    /** How many nodes. */
    public int size() {
        return nodes.size();
    }

    /** The timeouts every node runs with. */
    public Timeouts timeouts() {
        return timeouts;
    }

    /** Further node options every node starts with from now on, e.g. {@code --partitions orders:64}. */
    public void nodeArgs(String... options) {
        extra = List.of(options);
    }

    /** Node {@code i}'s current process (null before its first start); safe from any thread. */
    public ChildProcess process(int i) {
        return processes.get(i);
    }

    /** Starts every node at once (as fast as processes can be forked). */
    public void startAll() throws IOException {
        for (int i = 0; i < nodes.size(); i++) {
            start(i);
        }
    }

    /** Starts node {@code i} from its data dir (a restart keeps its log, term and vote). */
    public void start(int i) throws IOException {
        Node node = nodes.get(i);
        NodeArgs args = NodeArgs.node(node.id()).bind(new HostPort(node.host(), node.transport()))
                .http(new HostPort(node.host(), node.http())).seeds(seeds).dataDir(node.dataDir())
                .timeouts(timeouts.heartbeat(), timeouts.election()).with(extra.toArray(String[]::new));
        processes.set(i, launcher.start(args.toList(), node.dataDir().resolveSibling(node.id() + ".log")));
    }

    /** Whether node {@code i}'s process runs. */
    public boolean alive(int i) {
        ChildProcess p = processes.get(i);
        return p != null && p.isAlive();
    }

    /** Node {@code i}'s process id. */
    public long pid(int i) {
        return processes.get(i).pid();
    }

    /** SIGKILL to node {@code i}, sent at the call ({@link ChildProcess#kill9}): the trial's clock starts with it. */
    public void kill9(int i) {
        processes.get(i).kill9();
    }

    /** SIGTERM to node {@code i}: a primary hands over, then the node exits. */
    public void terminate(int i) {
        processes.get(i).terminate();
    }

    /** Waits for node {@code i} to exit; kills it after {@code millis}. Returns its exit code (-1: still there). */
    public int awaitExit(int i, long millis) {
        OptionalInt code = processes.get(i).awaitExit(Duration.ofMillis(millis));
        if (code.isPresent()) {
            return code.getAsInt();
        }
        ChildProcess.killAll(List.of(processes.get(i)));
        return processes.get(i).awaitExit(Duration.ZERO).orElse(-1);
    }

    /** The index of node {@code id}, or -1. */
    public int indexOf(String id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Every node's {@code /cluster/info}, asked of all nodes at once; null where a node is not
     * running or did not answer within {@code timeoutMillis}.
     */
    public ClusterInfo[] poll(long timeoutMillis) {
        boolean[] all = new boolean[nodes.size()];
        Arrays.fill(all, true);
        return poll(all, timeoutMillis);
    }

    /**
     * As {@link #poll(long)}, but only the nodes in {@code which} are asked (a node that is
     * shutting down may take long to answer; a round waits for its slowest answer).
     */
    public ClusterInfo[] poll(boolean[] which, long timeoutMillis) {
        List<CompletableFuture<ClusterInfo>> answers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            answers.add(which[i] && alive(i) ? info(nodes.get(i), timeoutMillis)
                    : CompletableFuture.completedFuture(null));
        }
        ClusterInfo[] infos = new ClusterInfo[nodes.size()];
        for (int i = 0; i < infos.length; i++) {
            infos[i] = answers.get(i).join();
        }
        return infos;
    }

    private static CompletableFuture<ClusterInfo> info(Node node, long timeoutMillis) {
        return ClusterInfo.fetch(HTTP, node.uri(""), Duration.ofMillis(timeoutMillis)).exceptionally(e -> null);
    }

    /** One node's Prometheus text, or null when it does not answer. */
    public String metrics(int i) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(nodes.get(i).uri("/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Kills every node process and waits for them. */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
    }

    private void killAll() {
        List<ChildProcess> all = new ArrayList<>();
        for (int i = 0; i < processes.length(); i++) {
            all.add(processes.get(i));
        }
        ChildProcess.killAll(all);
    }

    /** A port nothing listens on now, for a process of a benchmark to bind. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
