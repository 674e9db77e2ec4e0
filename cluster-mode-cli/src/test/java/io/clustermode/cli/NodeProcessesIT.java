package io.clustermode.cli;

import io.clustermode.cli.NodeProcesses.Node;
import io.clustermode.cli.launch.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real node processes started through {@code bin/cluster-mode}: writes through a secondary, the
 * primary killed with SIGKILL, a full restart from the data dirs, the HTTP error cases, the
 * metrics format and bad command lines. Runs in the integration-test phase, after the jar and
 * target/lib are packaged.
 */
class NodeProcessesIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private NodeProcesses nodes;

    @BeforeAll
    static void built() {
        assertThat(NodeProcesses.ROOT.resolve("cluster-mode-cli/target/lib")).isDirectory();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (nodes != null) {
            nodes.close();
        }
    }

    private void start(Node node, List<Node> all) throws Exception {
        List<String> seeds = new ArrayList<>();
        all.forEach(n -> seeds.add("127.0.0.1:" + n.transport));
        node.process = nodes.start(node.name, List.of("node", "--node-id", node.name,
                "--bind", "127.0.0.1:" + node.transport, "--http", node.http(),
                "--seeds", String.join(",", seeds), "--data-dir", dir.resolve(node.name).toString(),
                "--heartbeat-interval", "50", "--election-timeout", "400", "--update-interval", "200",
                "--request-timeout", "3000"));
    }

    private Optional<Node> primary(List<Node> candidates) {
        for (Node node : candidates) {
            try {
                ClusterInfo info = nodes.info(node.http());
                if (info.isPrimary() && info.leaderHttp() != null) {
                    return Optional.of(node);
                }
            } catch (Exception notYet) {
                // not up yet, or gone
            }
        }
        return Optional.empty();
    }

    private void awaitHealthy(List<Node> running) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
            for (Node node : running) {
                assertThat(nodes.get(node.http(), "/health").statusCode()).as(node.name).isEqualTo(200);
            }
            assertThat(primary(running)).isPresent();
        });
    }

    @Test
    void acknowledged_writes_survive_the_loss_of_the_primary_and_a_full_restart() throws Exception {
        nodes = new NodeProcesses(dir);
        List<Node> all = List.of(new Node("n1"), new Node("n2"), new Node("n3"));
        for (Node node : all) {
            start(node, all);
        }
        awaitHealthy(all);
        Node primary = primary(all).orElseThrow();
        Node secondary = all.stream().filter(n -> n != primary).findFirst().orElseThrow();

        Map<String, String> acknowledged = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = nodes.put(secondary.http(), "before-" + i, "value " + i);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).matches("\\{\"index\":\\s*\\d+}");
            acknowledged.put("before-" + i, "value " + i);
        }
        assertThat(nodes.get(secondary.http(), "/kv/before-7").body()).isEqualTo("value 7");

        httpErrors(primary, secondary);
        metricsParse(secondary);

        // SIGKILL the primary (the launcher execs, so this process is the JVM), writing meanwhile.
        primary.process.kill9();
        assertThat(primary.process.awaitExit(Duration.ofSeconds(10))).isPresent();
        List<Node> survivors = all.stream().filter(n -> n != primary).toList();
        long failoverStart = System.nanoTime();
        int unknown = 0;
        for (int i = 0; i < 15; i++) {
            HttpResponse<String> response = nodes.put(secondary.http(), "during-" + i, "value " + i);
            if (response.statusCode() == 200) {
                acknowledged.put("during-" + i, "value " + i);
            } else {
                assertThat(response.statusCode()).as(response.body()).isIn(503, 504);
                unknown++;
            }
        }
        awaitHealthy(survivors);
        System.out.printf("failover: a new primary answers %d ms after SIGKILL; %d of 15 writes meanwhile not "
                + "acknowledged%n", (System.nanoTime() - failoverStart) / 1_000_000, unknown);
        for (Node node : survivors) {
            for (Map.Entry<String, String> entry : acknowledged.entrySet()) {
                HttpResponse<String> read = nodes.get(node.http(), "/kv/" + entry.getKey());
                assertThat(read.statusCode()).as(entry.getKey() + " via " + node.name).isEqualTo(200);
                assertThat(read.body()).isEqualTo(entry.getValue());
            }
        }
        HttpResponse<String> after = nodes.put(survivors.get(0).http(), "after-failover", "yes");
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        acknowledged.put("after-failover", "yes");

        // Graceful stop of the survivors: SIGTERM, exit code 0.
        for (Node node : survivors) {
            node.process.terminate();
        }
        for (Node node : survivors) {
            assertThat(node.process.awaitExit(Duration.ofSeconds(30))).as(node.name + " stops with exit code 0")
                    .hasValue(0);
        }

        // All three again, from their data dirs.
        for (Node node : all) {
            start(node, all);
        }
        awaitHealthy(all);
        for (Node node : all) {
            for (Map.Entry<String, String> entry : acknowledged.entrySet()) {
                HttpResponse<String> read = nodes.get(node.http(), "/kv/" + entry.getKey());
                assertThat(read.statusCode()).as(entry.getKey() + " via " + node.name).isEqualTo(200);
                assertThat(read.body()).isEqualTo(entry.getValue());
            }
        }
        await().atMost(WAIT).untilAsserted(() -> {
            for (Node node : all) {
                assertThat(nodes.get(node.http(), "/kv/after-failover?consistency=stale").body()).isEqualTo("yes");
            }
        });
        String table = statusTable(all.get(2));
        assertThat(table).contains("NODE", "ROLE", "PRIMARY", "n1", "n2", "n3");
    }

    private String statusTable(Node node) throws Exception {
        assertThat(nodes.run("status", "status", "--http", node.http())).isZero();
        return Files.readString(dir.resolve("status.out"));
    }

    private void httpErrors(Node primary, Node secondary) throws Exception {
        for (Node node : List.of(primary, secondary)) {
            String http = node.http();
            assertThat(nodes.get(http, "/kv/never-written").statusCode()).isEqualTo(404);
            assertThat(nodes.get(http, "/kv/never-written?consistency=stale").statusCode()).isEqualTo(404);
            assertThat(nodes.get(http, "/kv/x?consistency=sometimes").statusCode()).isEqualTo(400);
            assertThat(nodes.get(http, "/kv/" + "k".repeat(257)).statusCode()).isEqualTo(400);
            assertThat(nodes.get(http, "/kv/").statusCode()).isEqualTo(400);
            assertThat(nodes.get(http, "/kv/a/b").statusCode()).isEqualTo(400);
            assertThat(nodes.send("PUT", http, "/kv/big", new byte[(1 << 20) + 1]).statusCode()).isEqualTo(413);
            assertThat(nodes.send("POST", http, "/kv/a", new byte[1]).statusCode()).isEqualTo(405);
            assertThat(nodes.get(http, "/nothing-here").statusCode()).isEqualTo(404);

            String key = "cas-" + node.name;
            assertThat(nodes.send("PUT", http, "/kv/" + key + "?expect=old", new byte[] {'v'}).statusCode())
                    .as("CAS on a missing key").isEqualTo(409);
            assertThat(nodes.put(http, key, "old").statusCode()).isEqualTo(200);
            assertThat(nodes.send("PUT", http, "/kv/" + key + "?expect=other", new byte[] {'v'}).statusCode())
                    .isEqualTo(409);
            HttpResponse<String> swapped = nodes.send("PUT", http, "/kv/" + key + "?expect=old", new byte[] {'v'});
            assertThat(swapped.statusCode()).as(swapped.body()).isEqualTo(200);
            assertThat(nodes.get(http, "/kv/" + key).body()).isEqualTo("v");
            assertThat(nodes.send("DELETE", http, "/kv/" + key, null).statusCode()).isEqualTo(200);
            assertThat(nodes.send("DELETE", http, "/kv/" + key, null).statusCode()).isEqualTo(200);
            assertThat(nodes.get(http, "/kv/" + key).statusCode()).isEqualTo(404);
            // The percent-encoded key and a value of exactly 1 MiB.
            byte[] max = new byte[1 << 20];
            max[max.length - 1] = 'z';
            assertThat(nodes.send("PUT", http, "/kv/with%20space%2Fslash", max).statusCode()).isEqualTo(200);
            assertThat(nodes.get(http, "/kv/with%20space%2Fslash").body()).hasSize(1 << 20).endsWith("z");
            // ... and the node still serves.
            assertThat(nodes.get(http, "/health").statusCode()).isEqualTo(200);
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*"
            + "(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\")(,[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\")*,?})?"
            + " ([-+]?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf)( -?[0-9]+)?");
    private static final Pattern COMMENT = Pattern.compile("# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*"
            + "|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))|#.*");

    private void metricsParse(Node node) throws Exception {
        HttpResponse<String> response = nodes.get(node.http(), "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        for (String line : response.body().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            assertThat(line).as("Prometheus text line").matches(line.startsWith("#") ? COMMENT : SAMPLE);
        }
        assertThat(response.body()).contains("cluster_mode_role{role=\"SECONDARY\"} 1", "cluster_mode_term ",
                "cluster_mode_commit_index ", "cluster_mode_applied_index ", "cluster_mode_members 3",
                "cluster_mode_voters 3", "cluster_mode_leader_changes_total ", "cluster_mode_elections_started_total ",
                "cluster_mode_time_without_primary_seconds_total ", "cluster_mode_http_requests_total{",
                "cluster_mode_proposal_latency_seconds_count ", "cluster_mode_transport_messages_total{direction=\"received\",type=\"heartbeat\"}");
    }

    @Test
    void without_a_primary_requests_get_503_and_health_is_down() throws Exception {
        nodes = new NodeProcesses(dir);
        Node alone = new Node("alone");
        Node missing = new Node("missing");
        start(alone, List.of(alone, missing)); // --min-nodes 3 (the default): never elects
        await().atMost(WAIT).ignoreExceptions().until(() -> nodes.get(alone.http(), "/health").statusCode() == 503);
        assertThat(nodes.get(alone.http(), "/health").body()).contains("\"status\":\"DOWN\"");
        HttpResponse<String> write = nodes.put(alone.http(), "k", "v");
        assertThat(write.statusCode()).as(write.body()).isEqualTo(503);
        assertThat(write.body()).startsWith("{\"error\":");
        assertThat(nodes.get(alone.http(), "/kv/k").statusCode()).isEqualTo(503);
        assertThat(nodes.get(alone.http(), "/kv/k?consistency=stale").statusCode()).isEqualTo(404);
        // The wire itself: leaderId is there, and null.
        assertThat(io.clustermode.cli.http.Json.read(nodes.get(alone.http(), "/cluster/info").body(), Map.class))
                .containsEntry("role", "INACTIVE").containsEntry("leaderId", null);
    }

    @Test
    void a_write_the_primary_cannot_commit_gets_504() throws Exception {
        nodes = new NodeProcesses(dir);
        List<Node> all = List.of(new Node("a"), new Node("b"), new Node("c"));
        List<String> seeds = new ArrayList<>();
        all.forEach(n -> seeds.add("127.0.0.1:" + n.transport));
        for (Node node : all) {
            node.process = nodes.start(node.name, List.of("node", "--node-id", node.name,
                    "--bind", "127.0.0.1:" + node.transport, "--http", node.http(), "--seeds", String.join(",", seeds),
                    "--heartbeat-interval", "100", "--election-timeout", "1500", "--update-interval", "200",
                    "--request-timeout", "500"));
        }
        awaitHealthy(all);
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            Node primary = primary(all).orElseThrow();
            ClusterInfo info = nodes.info(primary.http());
            return info.voterCount() == info.members().size();
        });
        Node primary = primary(all).orElseThrow();
        assertThat(nodes.put(primary.http(), "k", "committed").statusCode()).isEqualTo(200);
        for (Node node : all) {
            if (node != primary) {
                node.process.kill9();
                node.process.awaitExit(Duration.ofSeconds(10));
            }
        }
        // The primary still leads (until check-quorum, an election timeout later) and proposes,
        // but with one of three voters nothing commits: the outcome is unknown at the request timeout.
        HttpResponse<String> write = nodes.put(primary.http(), "k", "unknown");
        assertThat(write.statusCode()).as(write.body()).isEqualTo(504);
        assertThat(write.body()).startsWith("{\"error\":");
        assertThat(nodes.get(primary.http(), "/kv/k?consistency=stale").body()).isEqualTo("committed");
    }

    @Test
    void bad_command_lines_exit_2_with_one_line() throws Exception {
        nodes = new NodeProcesses(dir);
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            int free = NodeProcesses.freePort();
            Path notADir = Files.writeString(dir.resolve("file"), "x");
            String[][] cases = {
                    {"node", "--no-such-option"},
                    {"node", "--voters", "many"},
                    {"node", "--heartbeat-interval", "500", "--election-timeout", "1000"},
                    {"node", "--http", "127.0.0.1:" + port, "--bind", "127.0.0.1:" + free},
                    {"node", "--bind", "127.0.0.1:" + port, "--http", "127.0.0.1:" + free},
                    // with a data dir: no log line of the loaded storage before the one line
                    {"node", "--bind", "127.0.0.1:" + port, "--http", "127.0.0.1:" + free, "--data-dir",
                            dir.resolve("fresh").toString()},
                    {"node", "--data-dir", notADir.toString(), "--bind", "127.0.0.1:" + free},
                    {"node", "--discovery", "carrier-pigeon"},
            };
            // A data dir written by node 'owner' of cluster 'cluster-mode' refuses anyone else.
            Path owned = dir.resolve("owned");
            Node owner = new Node("owner");
            owner.process = nodes.start("owner", List.of("node", "--node-id", "owner", "--min-nodes", "1",
                    "--bind", "127.0.0.1:" + owner.transport, "--http", owner.http(), "--data-dir", owned.toString()));
            await().atMost(WAIT).ignoreExceptions().until(() -> nodes.get(owner.http(), "/health").statusCode() == 200);
            owner.process.terminate();
            assertThat(owner.process.awaitExit(Duration.ofSeconds(30))).as("exit code after SIGTERM").hasValue(0);
            cases = java.util.Arrays.copyOf(cases, cases.length + 2);
            cases[cases.length - 2] = new String[] {"node", "--data-dir", owned.toString(), "--node-id", "intruder",
                    "--bind", "127.0.0.1:" + free, "--http", "127.0.0.1:" + NodeProcesses.freePort()};
            cases[cases.length - 1] = new String[] {"node", "--data-dir", owned.toString(), "--cluster-name", "other",
                    "--bind", "127.0.0.1:" + free, "--http", "127.0.0.1:" + NodeProcesses.freePort()};
            for (int i = 0; i < cases.length; i++) {
                String name = "bad-" + i;
                assertThat(nodes.run(name, cases[i])).as(String.join(" ", cases[i])).isEqualTo(2);
                String err = nodes.stderr(name).strip();
                assertThat(err.lines().count()).as(err).isEqualTo(1);
                assertThat(err).startsWith("cluster-mode: ");
            }
        }
    }
}
