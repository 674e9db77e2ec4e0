package io.clustermode.cli;

import io.clustermode.cli.NodeProcesses.Node;
import io.clustermode.cli.launch.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Seeds are contact points (issue 19, item 1), with real node processes: three nodes whose
 * {@code --seeds} name the three; a fourth whose {@code --seeds} name one secondary only joins,
 * a fifth that names only the fourth joins too and both become voters; {@code kill -9} of one
 * of them removes it after the grace. With a cluster secret, a node holding another secret is
 * never added, while one holding the right one is.
 */
class ContactJoinIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** {@code --update-interval}: the removal grace is six of them. */
    private static final int UPDATE_MS = 200;

    @TempDir
    Path dir;

    private NodeProcesses nodes;

    @BeforeAll
    static void built() {
        assertThat(NodeProcesses.ROOT.resolve("cluster-mode-cli/target/lib")).isDirectory();
    }

    @AfterEach
    void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private void start(Node node, List<Node> seeds, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("node", "--node-id", node.name, "--bind", node.address(),
                "--http", node.http(), "--seeds", seeds.stream().map(Node::address).collect(Collectors.joining(",")),
                "--heartbeat-interval", "50", "--election-timeout", "400",
                "--update-interval", Integer.toString(UPDATE_MS), "--request-timeout", "3000"));
        args.addAll(List.of(more));
        node.process = nodes.start(node.name, args);
    }

    private Optional<ClusterInfo> info(Node node) {
        try {
            return Optional.of(nodes.info(node.http()));
        } catch (Exception notYet) {
            return Optional.empty();
        }
    }

    /** The primary's view, once some node of {@code among} is primary and knows its HTTP address. */
    private ClusterInfo primaryView(List<Node> among) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> among.stream()
                .map(this::info).flatMap(Optional::stream).filter(i -> i.isPrimary() && i.leaderHttp() != null)
                .findFirst().orElse(null), info -> info != null);
    }

    private static Optional<ClusterInfo.MemberInfo> member(ClusterInfo view, Node node) {
        return view.members().stream().filter(m -> m.nodeId().equals(node.name)).findFirst();
    }

    private List<Node> threeNodes(String... more) throws Exception {
        List<Node> three = List.of(new Node("n1"), new Node("n2"), new Node("n3"));
        for (Node node : three) {
            start(node, three, more);
        }
        await().atMost(WAIT).until(() -> primaryView(three).members().size() == 3
                && primaryView(three).voterCount() == 3);
        return three;
    }

    private Node aSecondary(List<Node> three) {
        String primary = primaryView(three).nodeId();
        return three.stream().filter(n -> !n.name.equals(primary)).findFirst().orElseThrow();
    }

    @Test
    void a_node_whose_seeds_name_one_secondary_joins_votes_with_a_fifth_and_is_removed_after_kill_9() throws Exception {
        nodes = new NodeProcesses(dir);
        List<Node> three = threeNodes();
        Node secondary = aSecondary(three);

        Node fourth = new Node("n4");
        long started = System.nanoTime();
        start(fourth, List.of(secondary));
        List<Node> four = List.of(three.get(0), three.get(1), three.get(2), fourth);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> member(primaryView(four), fourth)
                .isPresent() && info(fourth).map(i -> i.role().equals("SECONDARY")).orElse(false));
        System.out.printf("n4 was a member %d ms after its process started (JVM start included)%n",
                (System.nanoTime() - started) / 1_000_000);
        ClusterInfo view = primaryView(four);
        // Four members and --voters 5: three voters (kept odd), so the fourth is a learner.
        assertThat(member(view, fourth).orElseThrow().voter()).isFalse();
        assertThat(member(view, fourth).orElseThrow().joinedBy()).isEqualTo("contact");
        assertThat(member(view, fourth).orElseThrow().address()).isEqualTo(fourth.address());
        assertThat(view.members().stream().map(ClusterInfo.MemberInfo::joinedBy).toList())
                .containsExactly("bootstrap", "discovery", "discovery", "contact");

        // Its writes work, and every member sees them.
        HttpResponse<String> written = nodes.put(fourth.http(), "joined", "through a contact");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        assertThat(nodes.get(fourth.http(), "/kv/joined").body()).isEqualTo("through a contact");
        assertThat(nodes.get(secondary.http(), "/kv/joined").body()).isEqualTo("through a contact");

        // A fifth whose only seed is the fourth, which no other node's seeds name.
        Node fifth = new Node("n5");
        start(fifth, List.of(fourth));
        List<Node> five = List.of(three.get(0), three.get(1), three.get(2), fourth, fifth);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> primaryView(five).members().size() == 5
                && primaryView(five).voterCount() == 5);
        assertThat(nodes.put(fifth.http(), "fifth", "votes").statusCode()).isEqualTo(200);
        // Every node's view, the secondaries' too, says how each came in.
        await().atMost(WAIT).untilAsserted(() -> {
            for (Node node : five) {
                assertThat(nodes.info(node.http()).members().stream().map(ClusterInfo.MemberInfo::joinedBy).toList())
                        .as(node.name).containsExactly("bootstrap", "discovery", "discovery", "contact", "contact");
            }
        });
        assertThat(nodes.run("status", "status", "--http", secondary.http())).isZero();
        String table = Files.readString(dir.resolve("status.out"));
        assertThat(table).containsPattern("n5 +SECONDARY +yes +contact +" + fifth.address());

        long killed = System.nanoTime();
        fifth.process.kill9();
        List<Node> left = List.of(three.get(0), three.get(1), three.get(2), fourth);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> member(primaryView(left), fifth).isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isGreaterThanOrEqualTo(Duration.ofMillis(6L * UPDATE_MS));
        assertThat(primaryView(left).members()).hasSize(4);
        assertThat(nodes.put(fourth.http(), "after", "the fifth left").statusCode()).isEqualTo(200);
        assertThat(nodes.stderr(primaryView(left).nodeId())).contains("add learner n4 (a contact",
                "remove n5");
    }

    @Test
    void with_a_cluster_secret_a_node_holding_another_secret_is_never_added() throws Exception {
        nodes = new NodeProcesses(dir);
        Path secret = Files.writeString(dir.resolve("secret"), "the cluster's own secret, 32 bytes\n");
        Path other = Files.writeString(dir.resolve("other"), "somebody else's secret, 32 bytes!\n");
        List<Node> three = threeNodes("--cluster-secret-file", secret.toString());
        Node secondary = aSecondary(three);

        Node intruder = new Node("x");
        start(intruder, List.of(secondary), "--cluster-secret-file", other.toString());
        Node honest = new Node("n4");
        start(honest, List.of(secondary), "--cluster-secret-file", secret.toString());
        List<Node> all = List.of(three.get(0), three.get(1), three.get(2), intruder, honest);
        // The control: the honest node asking through the same secondary at the same time gets in.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> member(primaryView(all), honest).isPresent());
        await().atMost(WAIT).until(() -> info(intruder).isPresent()); // it is up, and keeps asking
        Thread.sleep(10L * UPDATE_MS);
        assertThat(primaryView(all).members()).extracting(ClusterInfo.MemberInfo::nodeId)
                .containsExactlyInAnyOrder("n1", "n2", "n3", "n4");
        ClusterInfo outside = info(intruder).orElseThrow();
        assertThat(outside.role()).isEqualTo("INACTIVE");
        assertThat(outside.members()).isEmpty();
        assertThat(nodes.stderr(primaryView(all).nodeId())).doesNotContain("add learner x");
    }
}
