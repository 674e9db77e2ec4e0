package io.clustermode.cli;

import io.clustermode.cli.http.Json;
import io.clustermode.cli.launch.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --partitions} on real node processes (CONTRACT.md, "Partitions"): the owners in
 * {@code GET /cluster/partitions/{group}}, in {@code /cluster/info} and {@code status}, the meters
 * in {@code /metrics}; every partition held by one node, balanced; a killed node's partitions held
 * again by the others; bad options refused with a message that names the option.
 */
class PartitionsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int COUNT = 12;

    @TempDir
    Path dir;

    private NodeProcesses nodes;
    private final List<String> names = List.of("p1", "p2", "p3");
    private final List<String> https = new ArrayList<>();
    private final List<ChildProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private void startThree() throws Exception {
        nodes = new NodeProcesses(dir);
        List<String> seeds = new ArrayList<>();
        List<Integer> transports = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            transports.add(NodeProcesses.freePort());
            https.add("127.0.0.1:" + NodeProcesses.freePort());
            seeds.add("127.0.0.1:" + transports.get(i));
        }
        for (int i = 0; i < names.size(); i++) {
            processes.add(nodes.start(names.get(i), List.of("node", "--node-id", names.get(i),
                    "--bind", "127.0.0.1:" + transports.get(i), "--http", https.get(i),
                    "--seeds", String.join(",", seeds), "--data-dir", dir.resolve(names.get(i)).toString(),
                    "--heartbeat-interval", "50", "--election-timeout", "400", "--update-interval", "200",
                    "--partitions", "orders:" + COUNT + ",mail:2")));
        }
    }

    private ClusterInfo.Partitions orders(String http) throws Exception {
        HttpResponse<String> answer = nodes.get(http, "/cluster/partitions/orders");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return Json.read(answer.body(), ClusterInfo.Partitions.class);
    }

    /** Partition to holder, from what each live node says it holds itself. */
    private Map<Integer, String> held(List<Integer> live) throws Exception {
        Map<Integer, String> held = new TreeMap<>();
        for (int i : live) {
            for (int p : orders(https.get(i)).owned()) {
                held.put(p, names.get(i));
            }
        }
        return held;
    }

    private boolean balanced(Map<Integer, String> held, int members) {
        Map<String, Integer> counts = new TreeMap<>();
        held.values().forEach(n -> counts.merge(n, 1, Integer::sum));
        return held.size() == COUNT && counts.size() == members
                && counts.values().stream().mapToInt(i -> i).max().orElse(0)
                - counts.values().stream().mapToInt(i -> i).min().orElse(0) <= 1;
    }

    @Test
    void every_partition_is_held_once_balanced_shown_everywhere_and_moved_when_a_node_dies() throws Exception {
        startThree();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> balanced(held(List.of(0, 1, 2)), 3));

        // The document of CONTRACT.md: owners and epochs keyed by partition number, this node's own.
        ClusterInfo.Partitions view = orders(https.get(0));
        assertThat(view.group()).isEqualTo("orders");
        assertThat(view.count()).isEqualTo(COUNT);
        assertThat(view.owners()).hasSize(COUNT).containsKeys("0", String.valueOf(COUNT - 1));
        assertThat(view.epochs().values()).allMatch(epoch -> epoch > 0);
        assertThat(view.owned()).allMatch(p -> view.owners().get(String.valueOf(p)).equals("p1"));
        assertThat(nodes.get(https.get(0), "/cluster/partitions/nothing").statusCode()).isEqualTo(404);

        ClusterInfo info = nodes.info(https.get(1));
        assertThat(info.partitions()).extracting(ClusterInfo.Partitions::group).containsExactly("mail", "orders");
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        StatusCommand.print(info, new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("partitions orders (" + COUNT + "): p1 4, p2 4, p3 4");
        String metrics = nodes.get(https.get(2), "/metrics").body();
        assertThat(metrics).contains("cluster_mode_partitions_owned{group=\"orders\"} 4.0")
                .contains("cluster_mode_partition_moves_total{group=\"orders\"}")
                .contains("cluster_mode_partitions_unowned_time_seconds_total{group=\"orders\"}");

        // A node killed: the two others hold all of its partitions once its lease surely lapsed.
        int victim = names.indexOf(nodes.info(https.get(0)).leaderId()) == 2 ? 1 : 2;
        long killedAt = System.nanoTime();
        processes.get(victim).kill9();
        List<Integer> live = victim == 1 ? List.of(0, 2) : List.of(0, 1);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> balanced(held(live), 2));
        System.out.printf("partitions of a node killed with SIGKILL held again by the others after %d ms"
                + " (election timeout 400 ms)%n", (System.nanoTime() - killedAt) / 1_000_000);
    }

    @Test
    void bad_partition_options_are_refused_naming_the_option() throws Exception {
        nodes = new NodeProcesses(dir);
        for (String[] bad : new String[][] {{"orders", "expected NAME:COUNT"}, {"orders:0", "count 0 is outside 1..4096"},
                {"or ders:4", "a partition group is named by 1 to 64 letters"}, {"a:2,a:3", "names the group a twice"}}) {
            int code = nodes.run("bad", "node", "--node-id", "x", "--bind", "127.0.0.1:0", "--http", "127.0.0.1:0",
                    "--partitions", bad[0]);
            assertThat(code).isEqualTo(2);
            assertThat(nodes.stderr("bad")).contains("--partitions").contains(bad[1]);
        }
    }
}
