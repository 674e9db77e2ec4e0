package io.clustermode.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /cluster/transfer-leadership} (an addition to CONTRACT.md) on real node
 * processes: served by the primary, forwarded to it by a secondary, the answer naming the new
 * primary; a bad target is refused before anything is done; no primary, no transfer.
 */
class LeadershipTransferIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PATH = "/cluster/transfer-leadership";

    @TempDir
    Path dir;

    private NodeProcesses nodes;

    @AfterEach
    void stop() throws InterruptedException {
        if (nodes != null) {
            nodes.close();
        }
    }

    private List<String> startNodes(List<String> names, int clusterSize) throws Exception {
        List<Integer> transports = new ArrayList<>();
        List<String> https = new ArrayList<>();
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < clusterSize; i++) {
            transports.add(NodeProcesses.freePort());
            https.add("127.0.0.1:" + NodeProcesses.freePort());
            seeds.add("127.0.0.1:" + transports.get(i));
        }
        for (int i = 0; i < names.size(); i++) {
            nodes.start(names.get(i), List.of("node", "--node-id", names.get(i),
                    "--bind", "127.0.0.1:" + transports.get(i), "--http", https.get(i),
                    "--seeds", String.join(",", seeds), "--data-dir", dir.resolve(names.get(i)).toString(),
                    "--heartbeat-interval", "50", "--election-timeout", "400", "--update-interval", "200",
                    "--request-timeout", "3000"));
        }
        return https.subList(0, names.size());
    }

    private String primaryId(String http) throws Exception {
        return nodes.info(http).leaderId();
    }

    @Test
    void a_secondary_forwards_the_transfer_and_the_answer_names_the_new_primary() throws Exception {
        nodes = new NodeProcesses(dir);
        List<String> names = List.of("t1", "t2", "t3");
        List<String> http = startNodes(names, 3);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            ClusterInfo info = nodes.info(http.get(0));
            return info.leaderId() != null && info.members().size() == 3 && info.voterCount() == 3;
        });
        String before = primaryId(http.get(0));
        String secondary = http.get(names.get(0).equals(before) ? 1 : 0);
        String secondaryId = names.get(http.indexOf(secondary));
        String other = names.stream().filter(n -> !n.equals(before) && !n.equals(secondaryId)).findFirst().orElseThrow();

        // Refused before anything is done: unknown, the node asked itself, a method other than POST.
        assertThat(nodes.send("POST", secondary, PATH + "?to=nobody", null).statusCode()).isEqualTo(400);
        assertThat(nodes.send("POST", secondary, PATH + "?to=" + secondaryId, null).statusCode()).isEqualTo(400);
        assertThat(nodes.get(secondary, PATH).statusCode()).isEqualTo(405);
        // Naming the successor: primacy goes to that node.
        HttpResponse<String> named = nodes.send("POST", secondary, PATH + "?to=" + other, null);
        assertThat(named.statusCode()).as(named.body()).isEqualTo(200);
        assertThat(io.clustermode.cli.http.Json.read(named.body(), Map.class).get("leaderId")).isEqualTo(other);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            for (String h : http) {
                assertThat(primaryId(h)).isEqualTo(other);
            }
        });

        // Not naming one: the primary chooses, and it is another node.
        HttpResponse<String> moved = nodes.send("POST", secondary, PATH, null);
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        Object leaderId = io.clustermode.cli.http.Json.read(moved.body(), Map.class).get("leaderId");
        assertThat(leaderId).isIn(names.toArray()).isNotEqualTo(other);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            for (String h : http) {
                assertThat(primaryId(h)).isEqualTo(leaderId);
            }
        });
        // And the cluster still takes writes.
        assertThat(nodes.put(http.get(2), "after-transfer", "yes").statusCode()).isEqualTo(200);
    }

    @Test
    void without_a_primary_the_transfer_gets_503() throws Exception {
        nodes = new NodeProcesses(dir);
        String alone = startNodes(List.of("alone"), 3).get(0); // --min-nodes 3: never elects
        await().atMost(WAIT).ignoreExceptions().until(() -> nodes.get(alone, "/health").statusCode() == 503);
        HttpResponse<String> answer = nodes.send("POST", alone, PATH, null);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body()).startsWith("{\"error\":");
    }
}
