package io.clustermode.examples.scheduler;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three instances of the packaged example ({@code target/spring-scheduler.jar}) as processes on
 * loopback, as CONTRACT.md runs them: the primary's job writes its runs; {@code kill -9} of the
 * primary, and the job goes on at another instance; the killed one comes back (its endpoint's
 * write operation allowed, which a secondary answers with 409); SIGTERM of the primary, and it
 * hands over. Through all of it the runs file's fencing tokens never go back and
 * each token belongs to one node: no two instances ran the job at once.
 *
 * <p>Processes are started here with {@link ProcessBuilder}: {@link Process#destroyForcibly()}
 * is SIGKILL and {@link Process#destroy()} SIGTERM on Linux, as {@code io.clustermode.cli.launch}
 * uses them; depending on that module would build the command line and the simulation too.
 */
class SpringSchedulerIT {

    private static final Path JAR = Path.of("target/spring-scheduler.jar");
    /** Quick start-up, little CPU and memory: three JVMs share a small machine with Maven. */
    private static final List<String> JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m",
            "-Xss512k");
    /** Starting three Spring Boot JVMs at once on two busy cores takes a while; a failover does not. */
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration FAILOVER = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private Path runs;

    /** One instance: its ports, and its process while it runs. */
    private final class Node {
        final String id;
        final int transport = freePort();
        final int web = freePort();
        Process process;

        Node(String id) {
            this.id = id;
        }

        void start(String seeds, String... more) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JVM);
            command.addAll(List.of("-jar", JAR.toString(), "--server.port=" + web, "--cluster-mode.node-id=" + id,
                    "--cluster-mode.bind=127.0.0.1:" + transport, "--cluster-mode.seeds=" + seeds,
                    "--cluster-mode.data-dir=" + dir.resolve(id), "--cluster-mode.min-nodes=3",
                    "--example.runs-file=" + runs, "--spring.main.banner-mode=off"));
            command.addAll(List.of(more));
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(id + ".log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        }

        /** A POST as Actuator takes it: a JSON body (here without parameters). */
        HttpResponse<String> post(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + path))
                    .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        }

        /** This instance's {@code GET /actuator/cluster}, or empty while it does not answer. */
        String view() {
            try {
                HttpResponse<String> answer = get("/actuator/cluster");
                return answer.statusCode() == 200 ? answer.body() : "";
            } catch (IOException e) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }
    }

    /** One line of the runs file. */
    record Run(long token, String node, long millis) {
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Node node : nodes.values()) {
            if (node.process != null && node.process.isAlive()) {
                node.process.destroyForcibly();
            }
        }
        for (Node node : nodes.values()) {
            if (node.process != null) {
                node.process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void the_job_runs_on_one_instance_at_a_time_through_a_kill_and_a_graceful_stop() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        runs = dir.resolve("runs.txt");
        for (String id : List.of("n1", "n2", "n3")) {
            nodes.put(id, new Node(id));
        }
        String seeds = nodes.values().stream().map(n -> "127.0.0.1:" + n.transport).collect(Collectors.joining(","));
        for (Node node : nodes.values()) {
            node.start(seeds);
        }
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> runs().size() >= 5);
        Node first = nodes.get(last().node());

        // the CONTRACT's Actuator endpoints; the write operation is off by default
        await().atMost(START).until(() -> first.view().contains("\"role\":\"PRIMARY\""));
        assertThat(first.view()).contains("\"nodeId\":\"" + first.id + "\"", "\"members\":[", "\"term\":");
        HttpResponse<String> health = first.get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"cluster\":", "\"role\":\"PRIMARY\"");
        assertThat(first.post("/actuator/cluster").statusCode()).isEqualTo(405);

        // kill -9 the primary: another instance takes the job over
        long killedToken = last().token();
        long killedAt = System.currentTimeMillis();
        first.process.destroyForcibly();
        Run taken = await().atMost(FAILOVER).pollInterval(Duration.ofMillis(50))
                .until(() -> firstAfter(killedToken), r -> r != null);
        assertThat(taken.node()).isNotEqualTo(first.id);
        System.out.printf("kill -9 of primary %s: the job ran at %s %d ms later (token %d -> %d)%n", first.id,
                taken.node(), taken.millis() - killedAt, killedToken, taken.token());
        first.process.waitFor(10, TimeUnit.SECONDS);

        // it comes back as a secondary, this time with the endpoint's write operation allowed
        first.start(seeds, "--management.endpoint.cluster.access=unrestricted");
        await().atMost(START).until(() -> first.view().contains("\"role\":\"SECONDARY\""));
        Node second = nodes.get(last().node());
        HttpResponse<String> notPrimary = first.post("/actuator/cluster");
        assertThat(notPrimary.statusCode()).as(notPrimary.body()).isEqualTo(409);
        assertThat(notPrimary.body()).contains("\"outcome\":\"NOT_PRIMARY\"", "\"primary\":\"" + second.id + "\"");

        // SIGTERM the primary: it stops its job, hands over, and another instance goes on
        long stoppedToken = last().token();
        long stoppedAt = System.currentTimeMillis();
        second.process.destroy();
        Run handed = await().atMost(FAILOVER).pollInterval(Duration.ofMillis(50))
                .until(() -> firstAfter(stoppedToken), r -> r != null);
        assertThat(handed.node()).isNotEqualTo(second.id);
        System.out.printf("SIGTERM of primary %s: the job ran at %s %d ms later (token %d -> %d)%n", second.id,
                handed.node(), handed.millis() - stoppedAt, stoppedToken, handed.token());
        assertThat(second.process.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
        int runsBefore = runs().size();
        await().atMost(FAILOVER).until(() -> runs().size() >= runsBefore + 5);

        for (Node node : nodes.values()) {
            node.process.destroy();
        }
        for (Node node : nodes.values()) {
            node.process.waitFor(30, TimeUnit.SECONDS);
        }

        List<Run> all = runs();
        assertThat(all).hasSizeGreaterThan(20);
        Map<Long, String> owner = new HashMap<>();
        Run previous = null;
        for (Run run : all) {
            if (previous != null) {
                assertThat(run.token()).as("tokens never go back: %s after %s", run, previous)
                        .isGreaterThanOrEqualTo(previous.token());
            }
            String before = owner.putIfAbsent(run.token(), run.node());
            assertThat(before == null ? run.node() : before).as("token %d belongs to one node", run.token())
                    .isEqualTo(run.node());
            previous = run;
        }
        assertThat(owner).hasSizeGreaterThanOrEqualTo(3);
    }

    private Run last() throws IOException {
        List<Run> all = runs();
        return all.get(all.size() - 1);
    }

    private Run firstAfter(long token) throws IOException {
        return runs().stream().filter(r -> r.token() > token).findFirst().orElse(null);
    }

    /** The complete lines of the runs file (a line being written has no newline yet). */
    private List<Run> runs() throws IOException {
        if (!Files.exists(runs)) {
            return List.of();
        }
        String text = Files.readString(runs, StandardCharsets.UTF_8);
        List<Run> all = new ArrayList<>();
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return all;
        }
        for (String line : text.substring(0, end).split("\n")) {
            String[] fields = line.split(" ");
            assertThat(fields).as("a run's line: %s", line).hasSize(3);
            all.add(new Run(Long.parseLong(fields[0]), fields[1], Long.parseLong(fields[2])));
        }
        return all;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
