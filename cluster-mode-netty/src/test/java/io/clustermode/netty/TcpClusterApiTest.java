package io.clustermode.netty;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.ClusterListener;
import io.clustermode.ClusterRole;
import io.clustermode.Member;
import io.clustermode.RoleChange;
import io.clustermode.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The public {@link Cluster} API on real sockets: the transport is found on the class path,
 * the nodes find each other through static seeds, bootstrap once, and hand over on close.
 */
class TcpClusterApiTest {

    @TempDir
    Path dir;

    private final List<Cluster<Void, ?>> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Cluster::closeNow);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void three_nodes_from_static_seeds_elect_one_primary_and_close_hands_over() throws Exception {
        List<String> seeds = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports.add(freePort());
            seeds.add("127.0.0.1:" + ports.get(i));
        }
        List<RoleChange> changes = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            Cluster<Void, ?> node = Cluster.start(ClusterConfig.builder()
                    .nodeId(NodeId.of("n" + i))
                    .bind("127.0.0.1:" + ports.get(i))
                    .seeds(seeds)
                    .dataDir(dir.resolve("n" + i))
                    .heartbeatInterval(Duration.ofMillis(50))
                    .electionTimeout(Duration.ofMillis(300))
                    .updateInterval(Duration.ofMillis(200))
                    .build());
            node.addListener(new ClusterListener() {
                @Override
                public void onRoleChange(RoleChange change) {
                    changes.add(change);
                }
            });
            nodes.add(node);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> agreedPrimary().isPresent()
                && nodes.get(0).members().stream().filter(Member::voter).count() == 3);
        Cluster<Void, ?> primary = nodes.stream().filter(Cluster::isPrimary).findFirst().orElseThrow();
        long token = primary.fencingToken().orElseThrow();
        assertThat(primary.members()).extracting(Member::address).containsExactlyInAnyOrderElementsOf(seeds);
        assertThat(nodes).filteredOn(n -> n != primary).allMatch(n -> n.role() == ClusterRole.SECONDARY);

        primary.close();
        List<Cluster<Void, ?>> survivors = new ArrayList<>(nodes);
        survivors.remove(primary);
        await().atMost(Duration.ofSeconds(10)).until(() -> survivors.stream().allMatch(n ->
                n.primary().map(Member::id).filter(id -> !id.equals(primary.id())).isPresent())
                && survivors.get(0).primary().equals(survivors.get(1).primary()));
        Cluster<Void, ?> successor = survivors.stream().filter(Cluster::isPrimary).findFirst().orElseThrow();
        assertThat(successor.fencingToken().orElseThrow()).isGreaterThan(token);
        assertThat(changes).anyMatch(c -> c.role() == ClusterRole.PRIMARY && c.term() > token);
    }

    private Optional<NodeId> agreedPrimary() {
        Optional<NodeId> first = nodes.get(0).primary().map(Member::id);
        boolean agreed = first.isPresent() && nodes.stream().allMatch(n -> n.primary().map(Member::id).equals(first));
        return agreed ? first : Optional.empty();
    }
}
