package io.clustermode;

import io.clustermode.transport.InMemoryNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Seeds are contact points (issue 19, item 1), on the in-memory transport: a node whose discovery
 * names any one member asks the primary to add it, and is added under the same rules as a
 * discovered node; the members learn where it listens from each other, so it stays a member
 * whoever becomes primary; it is removed after the grace once it is gone; a node that lies about
 * where it listens is never added.
 */
class ContactJoinTest {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final Duration GRACE = Duration.ofMillis(800);
    private static final Duration UPDATE = Duration.ofMillis(100);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<String, Cluster<Integer, ClusterTest.Counter>> clusters = new LinkedHashMap<>();
    private final Map<String, MutableDiscovery> discoveries = new HashMap<>();

    @AfterEach
    void stop() {
        clusters.values().forEach(Cluster::closeNow);
    }

    private static String address(String name) {
        return name + ":7600";
    }

    private Cluster<Integer, ClusterTest.Counter> start(String name, int voters, int maxNodes, String... seen)
            throws Exception {
        MutableDiscovery discovery = new MutableDiscovery();
        discovery.show(java.util.Arrays.stream(seen).map(ContactJoinTest::address).toList());
        discoveries.put(name, discovery);
        ClusterConfig config = ClusterConfig.builder()
                .nodeId(NodeId.of(name))
                .advertise(address(name))
                .bind("127.0.0.1:0")
                .dataDir(dir.resolve(name))
                .discovery(discovery)
                .minNodes(3)
                .maxNodes(maxNodes)
                .voters(voters)
                .heartbeatInterval(Duration.ofMillis(30))
                .electionTimeout(Duration.ofMillis(200))
                .updateInterval(UPDATE)
                .connectionTimeout(Duration.ofMillis(500))
                .removalGrace(GRACE)
                .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                .build();
        Cluster<Integer, ClusterTest.Counter> cluster = Cluster.start(config, new ClusterTest.Counter());
        clusters.put(name, cluster);
        return cluster;
    }

    /** Three nodes a, b, c whose discovery names the three: one cluster, awaited. Returns a secondary. */
    private Cluster<Integer, ClusterTest.Counter> threeNodes(int voters, int maxNodes) throws Exception {
        for (String name : List.of("a", "b", "c")) {
            start(name, voters, maxNodes, "a", "b", "c");
        }
        await().atMost(WAIT).until(() -> primary() != null && primary().members().size() == 3
                && primary().members().stream().allMatch(Member::voter));
        return clusters.values().stream().filter(Cluster::isSecondary).findFirst().orElseThrow();
    }

    private Cluster<Integer, ClusterTest.Counter> primary() {
        return clusters.values().stream().filter(Cluster::isPrimary).findFirst().orElse(null);
    }

    private static Set<String> ids(Cluster<?, ?> cluster) {
        return cluster.members().stream().map(m -> m.id().value()).collect(Collectors.toSet());
    }

    private static Member member(Cluster<?, ?> view, String id) {
        return view.members().stream().filter(m -> m.id().value().equals(id)).findFirst().orElse(null);
    }

    @Test
    void a_node_whose_discovery_names_one_secondary_is_added_as_a_learner_and_removed_after_the_grace_once_gone()
            throws Exception {
        Cluster<Integer, ClusterTest.Counter> secondary = threeNodes(5, 20);
        Cluster<Integer, ClusterTest.Counter> joiner = start("j", 5, 20, "j", secondary.id().value());

        await().atMost(WAIT).until(() -> primary() != null && ids(primary()).contains("j") && joiner.isSecondary());
        Cluster<Integer, ClusterTest.Counter> primary = primary();
        // Four members, five voters wanted: three is the odd count below four, so j stays a learner.
        assertThat(member(primary, "j").voter()).isFalse();
        assertThat(member(primary, "j").address()).isEqualTo("j:7600");
        // Every member comes to know how each came in: a bootstrapped, b and c were discovered, j asked.
        await().atMost(WAIT).untilAsserted(() -> {
            for (Cluster<Integer, ClusterTest.Counter> view : clusters.values()) {
                assertThat(view.members()).as(view.id() + "'s view").extracting(m -> view.joinedBy(m.id()))
                        .containsExactly(JoinedBy.BOOTSTRAP, JoinedBy.DISCOVERY, JoinedBy.DISCOVERY, JoinedBy.CONTACT);
            }
        });
        // Its writes work: handed to the primary, applied here.
        Committed<Integer> written = joiner.submit("x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        assertThat(written.result()).isEqualTo(1);
        assertThat(joiner.read(m -> m.count, Consistency.LINEARIZABLE).get(10, TimeUnit.SECONDS)).isEqualTo(1);

        long gone = System.nanoTime();
        joiner.closeNow();
        await().atMost(WAIT).until(() -> !ids(primary).contains("j"));
        assertThat(Duration.ofNanos(System.nanoTime() - gone)).isGreaterThanOrEqualTo(GRACE);
        assertThat(ids(primary)).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void members_that_joined_through_contact_are_promoted_and_stay_members_under_a_new_primary() throws Exception {
        Cluster<Integer, ClusterTest.Counter> secondary = threeNodes(5, 20);
        start("j", 5, 20, "j", secondary.id().value());
        await().atMost(WAIT).until(() -> ids(primary()).contains("j"));
        // k's discovery names j only, which nobody else's discovery names: j tells k who the primary is.
        Cluster<Integer, ClusterTest.Counter> k = start("k", 5, 20, "k", "j");
        await().atMost(WAIT).until(() -> primary() != null && primary().members().size() == 5
                && primary().members().stream().allMatch(Member::voter));

        // The primary goes away; whoever follows must know where j and k listen, never having
        // discovered them, or it would lose them and remove them after the grace.
        Cluster<Integer, ClusterTest.Counter> old = primary();
        old.closeNow();
        clusters.values().remove(old);
        await().atMost(WAIT).until(() -> primary() != null);
        Committed<Integer> written = k.submit("y".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        assertThat(k.read(m -> m.count, Consistency.LINEARIZABLE).get(10, TimeUnit.SECONDS))
                .isGreaterThanOrEqualTo(written.result());
        Thread.sleep(GRACE.multipliedBy(3).toMillis());
        Cluster<Integer, ClusterTest.Counter> now = await().atMost(WAIT).until(this::primary, p -> p != null);
        assertThat(ids(now)).contains("j", "k");
        assertThat(member(now, "k").address()).isEqualTo("k:7600");
        assertThat(k.submit("z".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS).index())
                .isGreaterThan(written.index());
    }

    @Test
    void a_node_that_gives_an_address_where_another_node_or_nobody_answers_is_never_added() throws Exception {
        Cluster<Integer, ClusterTest.Counter> secondary = threeNodes(5, 20);
        String contact = secondary.id().value();
        // One gives the address of the honest node below, one of a member, one where nobody listens.
        network.advertise(NodeId.of("liar"), address("j"));
        start("liar", 5, 20, "liar", contact);
        network.advertise(NodeId.of("liar2"), address(contact));
        start("liar2", 5, 20, "liar2", contact);
        network.advertise(NodeId.of("lost"), "nowhere:7600");
        start("lost", 5, 20, "lost", contact);
        // The control: an honest node asking through the same secondary at the same time gets in,
        // though a liar claims its address.
        start("j", 5, 20, "j", contact);
        await().atMost(WAIT).until(() -> primary() != null && ids(primary()).contains("j"));
        Thread.sleep(UPDATE.multipliedBy(5).toMillis()); // a few more rounds of asking
        assertThat(ids(primary())).containsExactlyInAnyOrder("a", "b", "c", "j");
        for (String outsider : List.of("liar", "liar2", "lost")) {
            assertThat(clusters.get(outsider).isActive()).as(outsider).isFalse();
        }
    }

    @Test
    void beyond_max_nodes_a_contact_is_refused_and_both_sides_say_why() throws Exception {
        try (LogCapture log = new LogCapture()) {
            Cluster<Integer, ClusterTest.Counter> secondary = threeNodes(5, 4);
            start("j", 5, 4, "j", secondary.id().value());
            await().atMost(WAIT).until(() -> primary() != null && ids(primary()).contains("j"));
            start("k", 5, 4, "k", secondary.id().value());
            String primary = primary().id().value();
            await().atMost(WAIT).until(() -> log.lines("WARN").stream().anyMatch(line -> line.contains(
                    "node k is not added to the cluster: its primary " + primary + " has the most members it allows")));
            assertThat(log.lines("WARN")).anyMatch(line -> line.contains("node " + primary + ": refusing k as a member"));
            assertThat(ids(primary())).hasSize(4).doesNotContain("k");
            assertThat(clusters.get("k").isActive()).isFalse();
        }
    }
}
