package io.clustermode;

import io.clustermode.transport.InMemoryNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners hear every change of {@code role()} and {@code primary()}, in order, under churn
 * (issue 13, item 4): seeded rounds of isolations, heals and hand-overs among three live nodes,
 * while a sampler reads each node's {@code role()} and {@code primary()} as fast as it can.
 * Every state the sampler saw must appear, in the order seen, among the events the node's
 * listener heard; no two events in a row may say the same; once quiet, the last event is the
 * node's state; and a node that closes says INACTIVE last.
 */
class RoleEventsUnderChurnTest {

    /** What an application can observe of a node: its role, and the primary it names (none when inactive). */
    private record Seen(ClusterRole role, NodeId primary) {

        static Seen of(RoleChange change) {
            return new Seen(change.role(), change.role() == ClusterRole.INACTIVE ? null : change.primary().orElse(null));
        }

        /** The node's role and primary, read as one consistent picture. */
        static Seen of(Cluster<?, ?> node) {
            ClusterStatus status = node.status();
            return new Seen(status.role(), status.primary().orElse(null));
        }
    }

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, Cluster<Void, ?>> nodes = new LinkedHashMap<>();
    private final Map<NodeId, List<RoleChange>> heard = new LinkedHashMap<>();
    private final Map<NodeId, List<Seen>> sampled = new LinkedHashMap<>();
    private final AtomicBoolean sampling = new AtomicBoolean(true);

    @AfterEach
    void stop() {
        sampling.set(false);
        nodes.values().forEach(Cluster::closeNow);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void every_change_of_role_and_primary_is_heard_once_and_in_order(long seed) throws Exception {
        List<String> names = List.of("c1", "c2", "c3");
        MutableDiscovery discovery = new MutableDiscovery();
        discovery.show(names.stream().map(n -> n + ":7600").toList());
        for (String name : names) {
            NodeId id = NodeId.of(name);
            List<RoleChange> changes = new CopyOnWriteArrayList<>();
            heard.put(id, changes);
            sampled.put(id, new ArrayList<>());
            Cluster<Void, ?> node = Cluster.start(ClusterConfig.builder()
                    .nodeId(id).advertise(name + ":7600").bind("127.0.0.1:0").discovery(discovery)
                    .heartbeatInterval(Duration.ofMillis(20)).electionTimeout(Duration.ofMillis(150))
                    .updateInterval(Duration.ofMillis(100))
                    .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                    .build());
            node.addListener(new ClusterListener() {
                @Override
                public void onRoleChange(RoleChange change) {
                    changes.add(change);
                }
            });
            nodes.put(id, node);
        }
        Thread sampler = new Thread(this::sample, "role-sampler");
        sampler.setDaemon(true);
        sampler.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.values().stream().filter(Cluster::isPrimary).count() == 1
                && nodes.values().stream().allMatch(Cluster::isActive)
                && nodes.values().iterator().next().members().stream().filter(Member::voter).count() == 3);

        Random random = new Random(seed);
        List<NodeId> ids = new ArrayList<>(nodes.keySet());
        for (int round = 0; round < 8; round++) {
            NodeId victim = ids.get(random.nextInt(ids.size()));
            switch (random.nextInt(3)) {
                case 0 -> network.isolate(victim);
                case 1 -> nodes.values().stream().filter(Cluster::isPrimary).findFirst()
                        .ifPresent(primary -> primary.transferLeadership());
                default -> network.heal();
            }
            Thread.sleep(100 + random.nextInt(300));
        }
        network.heal();
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.values().stream().filter(Cluster::isPrimary).count() == 1
                && nodes.values().stream().allMatch(Cluster::isActive));
        for (Map.Entry<NodeId, Cluster<Void, ?>> entry : nodes.entrySet()) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                List<RoleChange> changes = heard.get(entry.getKey());
                assertThat(Seen.of(changes.get(changes.size() - 1))).as(entry.getKey() + ": last event against the node")
                        .isEqualTo(Seen.of(entry.getValue()));
            });
        }
        sampling.set(false);
        sampler.join();

        NodeId leaving = await().atMost(Duration.ofSeconds(10)).until(
                () -> nodes.values().stream().filter(Cluster::isPrimary).findFirst(), java.util.Optional::isPresent)
                .orElseThrow().id();
        nodes.get(leaving).closeNow();
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.get(leaving).get(heard.get(leaving).size() - 1)
                .role() == ClusterRole.INACTIVE);

        for (NodeId id : ids) {
            List<RoleChange> changes = heard.get(id);
            for (int i = 1; i < changes.size(); i++) {
                RoleChange before = changes.get(i - 1);
                RoleChange after = changes.get(i);
                assertThat(before.role() == after.role() && before.primary().equals(after.primary())
                        && before.term() == after.term()).as(id + ": event " + i + " repeats " + before).isFalse();
            }
            assertThat(isSubsequence(collapse(sampled.get(id)), collapse(changes.stream().map(Seen::of).toList())))
                    .as(id + ": every state sampled was announced, in order; sampled " + collapse(sampled.get(id))
                            + ", heard " + changes)
                    .isTrue();
        }
        assertThat(heard.get(leaving).get(heard.get(leaving).size() - 1).reason()).isEqualTo("closed");
    }

    private void sample() {
        while (sampling.get()) {
            for (Map.Entry<NodeId, Cluster<Void, ?>> entry : nodes.entrySet()) {
                sampled.get(entry.getKey()).add(Seen.of(entry.getValue()));
            }
            Thread.onSpinWait();
        }
    }

    private static List<Seen> collapse(List<Seen> states) {
        List<Seen> out = new ArrayList<>();
        for (Seen state : states) {
            if (out.isEmpty() || !out.get(out.size() - 1).equals(state)) {
                out.add(state);
            }
        }
        return out;
    }

    private static boolean isSubsequence(List<Seen> part, List<Seen> whole) {
        int at = 0;
        for (Seen state : part) {
            while (at < whole.size() && !whole.get(at).equals(state)) {
                at++;
            }
            if (at == whole.size()) {
                return false;
            }
            at++;
        }
        return true;
    }
}
