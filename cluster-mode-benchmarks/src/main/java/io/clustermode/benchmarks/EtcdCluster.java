package io.clustermode.benchmarks;

import io.clustermode.cli.launch.ChildProcess;

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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Three (or {@code N}) etcd members as processes on loopback, for comparison: each with its own
 * data dir under one directory and etcd's default durability (a write is fsynced to its WAL on
 * a majority before it is acknowledged). Either on the given hosts (a network namespace's
 * 127.0.0.2, ...) with etcd's usual ports 2379/2380, or all on 127.0.0.1 with free ports.
 *
 * <p>Not thread-safe: one benchmark thread drives it. {@link #close()} stops every member; a
 * shutdown hook does the same if the JVM exits first.
 */
public final class EtcdCluster implements AutoCloseable {

    /** One member's place: name, host, client and peer ports, data dir. */
    public record Member(String name, String host, int client, int peer, Path dataDir) {

        /** The client URL, where the HTTP/JSON gateway answers. */
        public String clientUrl() {
            return "http://" + host + ":" + client;
        }

        String peerUrl() {
            return "http://" + host + ":" + peer;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500))
            .version(HttpClient.Version.HTTP_1_1).build();

    private final Path binary;
    private final List<Member> members = new ArrayList<>();
    private final ChildProcess[] processes;
    private final Thread hook = new Thread(this::stopAll, "etcd-cleanup");

    /** Places (does not start) {@code count} members under {@code dir}; {@code hosts} as in {@link ClusterProcesses}. */
    public EtcdCluster(Path binary, int count, Path dir, List<String> hosts) throws IOException {
        this.binary = binary;
        this.processes = new ChildProcess[count];
        for (int i = 0; i < count; i++) {
            boolean own = hosts != null;
            members.add(new Member("e" + (i + 1), own ? hosts.get(i) : "127.0.0.1", own ? 2379 : freePort(),
                    own ? 2380 : freePort(), dir.resolve("e" + (i + 1))));
        }
        Files.createDirectories(dir);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * The etcd program: {@code etcd} on the {@code PATH} (Debian's {@code etcd-server} package
     * installs {@code /usr/bin/etcd}), if there is one.
     */
    public static Optional<Path> findBinary() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "etcd");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The version the binary reports ({@code etcd --version}'s first line), or {@code unknown}. */
    public static String version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor(10, TimeUnit.SECONDS);
            String first = out.lines().findFirst().orElse("");
            return first.startsWith("etcd Version: ") ? first.substring("etcd Version: ".length()) : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** The members, by index. */
    public List<Member> members() {
        return members;
    }

    /** Member {@code i}'s process id. */
    public long pid(int i) {
        return processes[i].pid();
    }

    /** Starts every member as a new cluster; each member's output goes to {@code NAME.log} beside its data dir. */
    public void startAll() throws IOException {
        String initial = members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            Path log = m.dataDir().resolveSibling(m.name() + ".log");
            processes[i] = ChildProcess.start(List.of(binary.toString(), "--name", m.name(),
                    "--data-dir", m.dataDir().toString(),
                    "--listen-client-urls", m.clientUrl(), "--advertise-client-urls", m.clientUrl(),
                    "--listen-peer-urls", m.peerUrl(), "--initial-advertise-peer-urls", m.peerUrl(),
                    "--initial-cluster", initial, "--initial-cluster-state", "new",
                    "--initial-cluster-token", "cluster-mode-benchmark",
                    "--logger", "zap", "--log-level", "warn"), log);
        }
    }

    /**
     * Polls every member's {@code POST /v3/maintenance/status} until all name the same leader,
     * one of them; returns its index, or -1 after {@code boundMillis}.
     */
    public int awaitLeader(long boundMillis) throws InterruptedException {
        long deadline = System.nanoTime() + boundMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            int leader = agreedLeader();
            if (leader >= 0) {
                return leader;
            }
            Thread.sleep(100);
        }
        return -1;
    }

    private int agreedLeader() throws InterruptedException {
        String leader = null;
        int index = -1;
        for (int i = 0; i < members.size(); i++) {
            String answer = status(members.get(i));
            EtcdJson.Status status;
            try {
                status = answer == null ? null : EtcdJson.status(answer);
            } catch (IllegalArgumentException notYet) {
                status = null;
            }
            if (status == null || !status.knowsLeader() || (leader != null && !leader.equals(status.leader()))) {
                return -1;
            }
            leader = status.leader();
            if (leader.equals(status.memberId())) {
                index = i;
            }
        }
        return index;
    }

    private static String status(Member m) throws InterruptedException {
        return post(m, "/v3/maintenance/status", "{}");
    }

    /** A POST to member {@code i}'s gateway; the body of a 200 answer, else null. */
    public String post(int i, String path, String body) throws InterruptedException {
        return post(members.get(i), path, body);
    }

    private static String post(Member m, String path, String body) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(m.clientUrl() + path)).timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException notYet) {
            return null;
        }
    }

    /** Stops every member (SIGTERM, then SIGKILL after 5 s) and waits for them. */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
    }

    private void stopAll() {
        ChildProcess.stopAll(Arrays.asList(processes), Duration.ofSeconds(5));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
