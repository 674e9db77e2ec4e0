package io.clustermode.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Node processes started through {@code bin/cluster-mode}, on loopback, for the integration tests. */
final class NodeProcesses implements AutoCloseable {

    static final Path ROOT = findRoot();
    static final Path LAUNCHER = ROOT.resolve("bin/cluster-mode");

    private final Path dir;
    private final List<Process> started = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    NodeProcesses(Path dir) {
        this.dir = dir;
    }

    private static Path findRoot() {
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.isRegularFile(here.resolve("bin/cluster-mode"))) {
            here = here.getParent();
        }
        if (here == null) {
            throw new IllegalStateException("bin/cluster-mode not found above " + Path.of("").toAbsolutePath());
        }
        return here;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Starts {@code bin/cluster-mode ARGS}, its output in files named after {@code name}. */
    Process start(String name, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".err").toFile()));
        // Quick start-up and little CPU: the machine runs three JVMs besides Maven.
        builder.environment().put("CLUSTER_MODE_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m");
        Process process = builder.start();
        started.add(process);
        return process;
    }

    String stderr(String name) throws IOException {
        Path file = dir.resolve(name + ".err");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Runs a command to its end; returns its exit code (stderr in {@link #stderr}). */
    int run(String name, String... args) throws Exception {
        Process process = start(name, List.of(args));
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not end: " + String.join(" ", args));
        }
        return process.exitValue();
    }

    HttpResponse<String> get(String http, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + http + path))
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String http, String path, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + http + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            // Seen rarely under load: the JDK client reuses a kept-alive connection just as the
            // JDK server closes it, and gets EOF before any byte of an answer. Nothing was
            // answered, so one retry on a fresh connection is safe for these idempotent tests
            // (a PUT of the same value, a GET). Root cause still to be found (see the notes).
            if (!String.valueOf(e.getMessage()).contains("received no bytes")) {
                throw e;
            }
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    HttpResponse<String> put(String http, String key, String value) throws Exception {
        return send("PUT", http, "/kv/" + key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The node's {@code /cluster/info}; fails unless it answers 200 with the document. */
    ClusterInfo info(String http) throws Exception {
        return ClusterInfo.fetch(client, URI.create("http://" + http), Duration.ofSeconds(15)).get();
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly();
        }
        for (Process process : started) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
