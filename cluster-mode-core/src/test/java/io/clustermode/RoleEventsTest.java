package io.clustermode;

import io.clustermode.transport.InMemoryNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners hear every change of {@code role()}: the nodes that join as learners, after the
 * first bootstraps, are told SECONDARY when they become members — an application waiting for
 * SECONDARY must not wait for ever (issue 13, item 4).
 */
class RoleEventsTest {

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<String, Cluster<Void, ?>> nodes = new LinkedHashMap<>();
    private final Map<String, List<RoleChange>> heard = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        nodes.values().forEach(Cluster::closeNow);
    }

    @Test
    void when_nodes_join_as_learners_and_are_promoted_then_each_hears_its_role_as_it_changes() throws Exception {
        List<String> names = List.of("r1", "r2", "r3");
        MutableDiscovery discovery = new MutableDiscovery();
        discovery.show(names.stream().map(n -> n + ":7600").toList());
        for (String name : names) {
            List<RoleChange> changes = new CopyOnWriteArrayList<>();
            heard.put(name, changes);
            Cluster<Void, ?> node = Cluster.start(ClusterConfig.builder()
                    .nodeId(NodeId.of(name)).advertise(name + ":7600").bind("127.0.0.1:0").discovery(discovery)
                    .heartbeatInterval(Duration.ofMillis(30)).electionTimeout(Duration.ofMillis(200))
                    .updateInterval(Duration.ofMillis(100))
                    .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                    .build());
            node.addListener(new ClusterListener() {
                @Override
                public void onRoleChange(RoleChange change) {
                    changes.add(change);
                }
            });
            nodes.put(name, node);
        }
        await().atMost(Duration.ofSeconds(40)).until(() -> nodes.values().stream().anyMatch(Cluster::isPrimary)
                && nodes.values().stream().allMatch(n -> n.role() != ClusterRole.INACTIVE)
                && nodes.get("r1").members().stream().filter(Member::voter).count() == 3);
        for (String name : names) {
            Cluster<Void, ?> node = nodes.get(name);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<RoleChange> changes = heard.get(name);
                assertThat(changes).as(name + " heard").isNotEmpty();
                RoleChange last = changes.get(changes.size() - 1);
                assertThat(last.role()).as(name + "'s last event against role()").isEqualTo(node.role());
                assertThat(last.primary()).isEqualTo(node.primary().map(Member::id));
            });
        }
        assertThat(nodes.values()).filteredOn(n -> !n.isPrimary()).allSatisfy(n ->
                assertThat(heard.get(n.id().value())).extracting(RoleChange::role).contains(ClusterRole.SECONDARY));
    }
}
