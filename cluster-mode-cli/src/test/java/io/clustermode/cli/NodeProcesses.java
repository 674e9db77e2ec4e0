package io.clustermode.cli;

import io.clustermode.cli.launch.ChildProcess;
import io.clustermode.cli.launch.NodeLauncher;

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
import java.util.OptionalInt;

/** Node processes started through {@code bin/cluster-mode}, on loopback, for the integration tests. */
final class NodeProcesses implements AutoCloseable {

    /** One node of a test: its name, the two ports it listens on, its process once started. */
    static final class Node {
        final String name;
        final int transport;
        final int httpPort;
        ChildProcess process;

        Node(String name) throws IOException {
            this.name = name;
            this.transport = freePort();
            this.httpPort = freePort();
        }

        /** Its transport address on loopback. */
        String address() {
            return "127.0.0.1:" + transport;
        }

        /** Its HTTP address on loopback. */
        String http() {
            return "127.0.0.1:" + httpPort;
        }
    }


    static final Path ROOT = NodeLauncher.findRoot();
    /** The program as CONTRACT.md runs it; quick start-up and little CPU: the machine runs three JVMs besides Maven. */
    static final NodeLauncher PROGRAM = NodeLauncher.script(ROOT, NodeLauncher.SMALL_JVM);

    private final Path dir;
    private final List<ChildProcess> started = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    NodeProcesses(Path dir) {
        this.dir = dir;
    }

    /**
     * A port nothing listens on now, below Linux's ephemeral range (32768 on): a port the kernel
     * handed out for "any free port" is also what it hands the next outbound connection of any
     * process, which may take it before the node binds it.
     */
    static int freePort() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in 20000..31999 after 100 tries");
    }

    /** Starts {@code bin/cluster-mode ARGS}, its output in files named after {@code name}. */
    ChildProcess start(String name, List<String> args) throws IOException {
        ChildProcess process = PROGRAM.start(args, dir.resolve(name + ".out"), dir.resolve(name + ".err"));
        started.add(process);
        return process;
    }

    String stderr(String name) throws IOException {
        Path file = dir.resolve(name + ".err");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Runs a command to its end; returns its exit code (stderr in {@link #stderr}). */
    int run(String name, String... args) throws Exception {
        ChildProcess process = start(name, List.of(args));
        OptionalInt code = process.awaitExit(Duration.ofSeconds(60));
        if (code.isEmpty()) {
            process.kill9();
            throw new AssertionError(name + " did not end: " + String.join(" ", args));
        }
        return code.getAsInt();
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
    public void close() {
        ChildProcess.killAll(started);
    }
}
