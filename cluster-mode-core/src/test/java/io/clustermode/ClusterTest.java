package io.clustermode;

import io.clustermode.transport.InMemoryNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The Cluster as an application uses it, on the in-memory transport: bootstrap from
 * discovery, growth, removal, failover, rolling restarts, disagreeing discovery views.
 */
class ClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<String, Cluster<Integer, Counter>> clusters = new LinkedHashMap<>();
    private final Map<String, MutableDiscovery> discoveries = new HashMap<>();
    /** Every (term, primary) any node ever announced: two primaries in one term would show here. */
    private final Map<Long, Set<NodeId>> primariesByTerm = new ConcurrentHashMap<>();
    private final List<RoleChange> changesSeen = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        clusters.values().forEach(Cluster::close);
    }

    private static String address(String name) {
        return name + ":7600";
    }

    private Cluster<Integer, Counter> start(String name, int minNodes, int voters) throws Exception {
        MutableDiscovery discovery = discoveries.computeIfAbsent(name, n -> new MutableDiscovery());
        ClusterConfig config = ClusterConfig.builder()
                .nodeId(NodeId.of(name))
                .advertise(address(name))
                .bind("127.0.0.1:0")
                .dataDir(dir.resolve(name))
                .discovery(discovery)
                .minNodes(minNodes)
                .voters(voters)
                .heartbeatInterval(Duration.ofMillis(30))
                .electionTimeout(Duration.ofMillis(200))
                .updateInterval(Duration.ofMillis(100))
                .connectionTimeout(Duration.ofMillis(500))
                .removalGrace(Duration.ofMillis(800))
                .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                .build();
        Cluster<Integer, Counter> cluster = Cluster.start(config, new Counter());
        cluster.addListener(new ClusterListener() {
            @Override
            public void onRoleChange(RoleChange change) {
                changesSeen.add(change);
                if (change.role() == ClusterRole.PRIMARY) {
                    primariesByTerm.computeIfAbsent(change.term(), t -> ConcurrentHashMap.newKeySet())
                            .add(cluster.id());
                }
            }
        });
        clusters.put(name, cluster);
        return cluster;
    }

    /** Counts commands. */
    static final class Counter implements StateMachine<Integer> {
        int count;

        @Override
        public Integer apply(long index, byte[] command) {
            return ++count;
        }

        @Override
        public byte[] snapshot() {
            return java.nio.ByteBuffer.allocate(4).putInt(count).array();
        }

        @Override
        public void restore(byte[] snapshot) {
            count = java.nio.ByteBuffer.wrap(snapshot).getInt();
        }
    }

    private void showEveryone(List<String> names) {
        List<String> addresses = names.stream().map(ClusterTest::address).collect(Collectors.toList());
        names.forEach(n -> discoveries.computeIfAbsent(n, x -> new MutableDiscovery()).show(addresses));
    }

    private Cluster<Integer, Counter> primary() {
        return clusters.values().stream().filter(Cluster::isPrimary).findFirst().orElse(null);
    }

    /** Three nodes a, b and c that all see each other: one cluster of three voters, awaited. */
    private void startThreeNodes() throws Exception {
        List<String> names = List.of("a", "b", "c");
        for (String name : names) {
            start(name, 3, 3);
        }
        showEveryone(names);
        awaitOneClusterOf(3, 3);
    }

    private void assertOnePrimaryPerTerm() {
        primariesByTerm.forEach((term, nodes) -> assertThat(nodes).as("primaries of term " + term).hasSize(1));
    }

    private void awaitOneClusterOf(int members, int voters) {
        await().atMost(WAIT).until(() -> {
            Cluster<Integer, Counter> primary = primary();
            return primary != null && primary.members().size() == members
                    && primary.members().stream().filter(Member::voter).count() == voters
                    && clusters.values().stream().allMatch(c -> c.members().equals(primary.members())
                    || !c.status().running());
        });
    }

    @Test
    void membership_listeners_are_told_the_members_after_each_change_not_before() throws Exception {
        List<String> names = List.of("a", "b", "c");
        Map<String, List<Set<Member>>> told = new ConcurrentHashMap<>();
        for (String name : names) {
            Cluster<Integer, Counter> cluster = start(name, 3, 3);
            cluster.addListener(new ClusterListener() {
                @Override
                public void onMembershipChange(Set<Member> members) {
                    told.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(members);
                }
            });
        }
        showEveryone(names);
        awaitOneClusterOf(3, 3);
        // The last set each node told is the cluster as it is now (it was the set before the
        // last change when listeners were called before the node's status followed).
        await().atMost(WAIT).untilAsserted(() -> {
            for (String name : names) {
                List<Set<Member>> sets = told.getOrDefault(name, List.of());
                assertThat(sets).as(name).isNotEmpty();
                assertThat(sets.get(sets.size() - 1)).as(name).isEqualTo(clusters.get(name).members());
            }
        });
    }

    @Test
    void five_nodes_with_staggered_discovery_form_exactly_one_cluster() throws Exception {
        List<String> names = List.of("e", "d", "c", "b", "a");
        for (String name : names) {
            start(name, 3, 5);
        }
        // Each node first sees a different handful of the others, then everyone.
        discoveries.get("e").show(List.of(address("e"), address("d"), address("c")));
        discoveries.get("d").show(List.of(address("d"), address("c"), address("b")));
        discoveries.get("c").show(List.of(address("c"), address("b"), address("a")));
        Thread.sleep(300);
        showEveryone(names);
        awaitOneClusterOf(5, 5);
        Set<NodeId> primaries = clusters.values().stream().map(c -> c.primary().map(Member::id).orElse(null))
                .collect(Collectors.toSet());
        assertThat(primaries).hasSize(1);
        assertOnePrimaryPerTerm();
        Committed<Integer> committed = primary().submit("x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        assertThat(committed.result()).isEqualTo(1);
    }

    @Test
    void nothing_is_elected_before_min_nodes_are_known_and_growth_to_seven_keeps_five_voters() throws Exception {
        List<String> first = List.of("a", "b");
        for (String name : first) {
            start(name, 3, 5);
        }
        showEveryone(first);
        Thread.sleep(800);
        assertThat(clusters.values()).allMatch(c -> c.role() == ClusterRole.INACTIVE);

        List<String> three = List.of("a", "b", "c");
        start("c", 3, 5);
        showEveryone(three);
        awaitOneClusterOf(3, 3);

        List<String> seven = List.of("a", "b", "c", "d", "e", "f", "g");
        for (String name : seven.subList(3, 7)) {
            start(name, 3, 5);
        }
        showEveryone(seven);
        awaitOneClusterOf(7, 5);
        assertThat(primary().members().stream().filter(m -> !m.voter()).count()).isEqualTo(2);
        assertOnePrimaryPerTerm();
    }

    @Test
    void a_member_missing_from_discovery_is_removed_only_once_it_is_also_unreachable() throws Exception {
        List<String> names = List.of("a", "b", "c", "d", "e");
        for (String name : names) {
            start(name, 3, 3);
        }
        showEveryone(names);
        awaitOneClusterOf(5, 3);
        Cluster<Integer, Counter> primary = primary();
        String victim = names.stream().filter(n -> !clusters.get(n).isPrimary()).findFirst().orElseThrow();

        // Gone from discovery but alive and reachable: stays a member.
        List<String> without = names.stream().filter(n -> !n.equals(victim)).collect(Collectors.toList());
        without.forEach(n -> discoveries.get(n).show(without.stream().map(ClusterTest::address).toList()));
        Thread.sleep(2_000);
        assertThat(primary.members()).extracting(Member::id).contains(NodeId.of(victim));

        // Also unreachable: removed after the grace period, and a learner takes its vote if it had one.
        clusters.get(victim).close();
        await().atMost(WAIT).until(() -> {
            Cluster<Integer, Counter> now = primary(); // none for a moment if the load costs an election
            return now != null && now.members().stream().noneMatch(m -> m.id().value().equals(victim));
        });
        awaitOneClusterOf(4, 3);
    }

    @Test
    void killing_the_primary_elects_a_new_one_and_every_listener_sees_the_new_term() throws Exception {
        startThreeNodes();
        Cluster<Integer, Counter> old = primary();
        long oldTerm = old.fencingToken().orElseThrow();
        network.isolate(old.id()); // as good as dead to the others
        await().atMost(WAIT).until(() -> clusters.values().stream()
                .anyMatch(c -> c != old && c.isPrimary()));
        Cluster<Integer, Counter> fresh = clusters.values().stream().filter(c -> c != old && c.isPrimary()).findFirst()
                .orElseThrow();
        long newTerm = fresh.fencingToken().orElseThrow();
        assertThat(newTerm).isGreaterThan(oldTerm);
        for (Cluster<Integer, Counter> survivor : clusters.values()) {
            if (survivor != old) {
                await().atMost(WAIT).until(() -> survivor.primary().map(Member::id).orElse(null),
                        id -> fresh.id().equals(id));
            }
        }
        await().atMost(WAIT).until(() -> changesSeen.stream().filter(c -> c.term() >= newTerm)
                .map(RoleChange::primary).flatMap(Optional::stream).filter(fresh.id()::equals).count() >= 2);
        // The old primary, cut off, stops believing it leads (check-quorum) and its executor stops.
        await().atMost(WAIT).until(() -> !old.isPrimary());
        assertThat(old.fencingToken()).isEmpty();
        assertOnePrimaryPerTerm();
    }

    @Test
    void the_primary_reports_every_members_match_index_and_a_secondary_reports_none() throws Exception {
        startThreeNodes();
        Cluster<Integer, Counter> leader = primary();
        Committed<Integer> written = leader.submit(new byte[]{1}).get(10, java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(WAIT).untilAsserted(() -> {
            ReplicationProgress progress = leader.replicationProgress().get().orElseThrow();
            assertThat(progress.primary()).isEqualTo(leader.id());
            assertThat(progress.matchIndexes().keySet()).containsExactlyElementsOf(
                    leader.members().stream().map(Member::id).sorted().collect(Collectors.toList()));
            assertThat(progress.lastIndex()).isGreaterThanOrEqualTo(written.index());
            for (Member member : leader.members()) {
                assertThat(progress.lag(member.id())).as(member.id().value()).isZero();
            }
            // Heard from every other member within a few heartbeats; the primary is not listed.
            assertThat(progress.silence().keySet()).hasSize(leader.members().size() - 1).doesNotContain(leader.id());
            assertThat(progress.silence().values()).allMatch(ago -> ago.compareTo(Duration.ofSeconds(2)) < 0);
        });
        Cluster<Integer, Counter> secondary = clusters.values().stream().filter(c -> c != leader).findFirst()
                .orElseThrow();
        assertThat(secondary.replicationProgress().get()).isEmpty();
        secondary.close();
        assertThatThrownBy(() -> secondary.replicationProgress().join()).hasCauseInstanceOf(ClusterClosedException.class);
    }

    @Test
    void leadership_calls_complete_with_the_new_primary_or_fail_with_a_cluster_exception() throws Exception {
        startThreeNodes();
        Cluster<Integer, Counter> old = primary();
        Cluster<Integer, Counter> secondary = clusters.values().stream().filter(c -> c != old).findFirst().orElseThrow();
        assertThatThrownBy(() -> secondary.transferLeadership().join()).hasCauseInstanceOf(NotPrimaryException.class);
        assertThatThrownBy(() -> old.transferLeadership(old.id())).isInstanceOf(IllegalArgumentException.class);

        List<String> reasons = new CopyOnWriteArrayList<>();
        old.addListener(new ClusterListener() {
            @Override
            public void onRoleChange(RoleChange change) {
                reasons.add(change.reason());
            }
        });
        NodeId successor = old.transferLeadership(secondary.id()).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(successor).isEqualTo(secondary.id());
        assertThat(old.isPrimary()).isFalse();
        // The old primary says it handed over (not that it was deposed), and to whom.
        await().atMost(WAIT).until(() -> reasons.stream().anyMatch(
                r -> r.startsWith("leadership handed over to " + secondary.id())));
        await().atMost(WAIT).until(secondary::isPrimary);
        // the read sees the state machine as its own type: no cast
        assertThat(secondary.read(counter -> counter.count, Consistency.LINEARIZABLE).get()).isNotNegative();
    }

    @Test
    void a_rolling_restart_with_graceful_close_keeps_one_primary_at_a_time_and_every_command() throws Exception {
        List<String> names = List.of("a", "b", "c");
        for (String name : names) {
            start(name, 3, 3);
        }
        showEveryone(names);
        awaitOneClusterOf(3, 3);
        int acknowledged = 0;
        for (int round = 0; round < names.size(); round++) {
            for (int i = 0; i < 10; i++) {
                Cluster<Integer, Counter> primary = await().atMost(WAIT).until(this::primary, p -> p != null);
                primary.submit(new byte[] {(byte) i}).get(10, TimeUnit.SECONDS);
                acknowledged++;
            }
            // Restart the primary: close hands over first.
            Cluster<Integer, Counter> primary = primary();
            String name = primary.id().value();
            long handoverStart = System.nanoTime();
            primary.close();
            clusters.remove(name);
            Cluster<Integer, Counter> next = await().atMost(WAIT).until(this::primary, p -> p != null);
            System.out.printf("handover from %s to %s took %.1f ms%n", name, next.id(),
                    (System.nanoTime() - handoverStart) / 1e6);
            start(name, 3, 3);
            discoveries.get(name).show(names.stream().map(ClusterTest::address).toList());
            awaitOneClusterOf(3, 3);
        }
        Cluster<Integer, Counter> primary = await().atMost(WAIT).until(this::primary, p -> p != null);
        int count = primary.read(m -> m.count, Consistency.LINEARIZABLE).get(10, TimeUnit.SECONDS);
        assertThat(count).isEqualTo(acknowledged);
        assertOnePrimaryPerTerm();
    }

    @Test
    void disagreeing_discovery_views_never_make_two_primaries_in_one_term() throws Exception {
        List<String> names = List.of("a", "b", "c", "d", "e");
        for (String name : names) {
            start(name, 3, 5);
        }
        // Overlapping, different subsets, changing over time.
        discoveries.get("a").show(List.of(address("a"), address("b"), address("c")));
        discoveries.get("b").show(List.of(address("b"), address("c"), address("d")));
        discoveries.get("c").show(List.of(address("c"), address("d"), address("e")));
        discoveries.get("d").show(List.of(address("d"), address("e"), address("a")));
        discoveries.get("e").show(List.of(address("e"), address("a"), address("b")));
        Thread.sleep(1_500);
        assertOnePrimaryPerTerm();
        showEveryone(names);
        awaitOneClusterOf(5, 5);
        assertOnePrimaryPerTerm();
        assertThat(new ArrayList<>(primariesByTerm.keySet())).isNotEmpty();
    }
}
