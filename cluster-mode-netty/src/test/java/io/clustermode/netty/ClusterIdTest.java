package io.clustermode.netty;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.Member;
import io.clustermode.codec.Handshake;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster chooses an id when it is bootstrapped; every member learns it from its primary and
 * keeps it in its data dir; a peer of another cluster id is refused at the handshake — two
 * clusters that share a name (two staging environments, a stale seed list) stay apart.
 */
class ClusterIdTest {

    @TempDir
    Path dir;

    private final List<Cluster<Void, ?>> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Cluster::closeNow);
    }

    @Test
    void every_member_learns_the_id_chosen_at_bootstrap_and_keeps_it_over_a_restart() throws Exception {
        List<String> seeds = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
        for (int i = 0; i < 3; i++) {
            nodes.add(start("n" + i, seeds.get(i), seeds));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().anyMatch(Cluster::isPrimary)
                && nodes.get(0).members().stream().filter(Member::voter).count() == 3
                && nodes.stream().allMatch(n -> n.clusterId().isPresent()));
        String id = nodes.get(0).clusterId().orElseThrow();
        assertThat(UUID.fromString(id)).isNotNull();
        assertThat(nodes).allSatisfy(n -> assertThat(n.clusterId()).contains(id));

        Cluster<Void, ?> secondary = nodes.stream().filter(n -> !n.isPrimary()).findFirst().orElseThrow();
        int index = nodes.indexOf(secondary);
        secondary.closeNow();
        Cluster<Void, ?> again = start(secondary.id().value(), seeds.get(index), seeds);
        nodes.set(index, again);
        assertThat(again.clusterId()).as("read back from the data dir, before hearing anyone").contains(id);
    }

    @Test
    void two_clusters_of_the_same_name_stay_apart_when_a_seed_list_names_the_other() throws Exception {
        String a = "127.0.0.1:" + freePort();
        String b = "127.0.0.1:" + freePort();
        Cluster<Void, ?> first = start("a1", a, List.of(a));
        nodes.add(first);
        Cluster<Void, ?> second = start("b1", b, List.of(b));
        nodes.add(second);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.isPrimary() && second.isPrimary()
                && first.clusterId().isPresent() && second.clusterId().isPresent());
        assertThat(first.clusterId()).isNotEqualTo(second.clusterId());

        // a1 comes back with a seed list that names b1 as well: its primary would add b1 as a learner
        first.closeNow();
        Cluster<Void, ?> confused = start("a1", a, List.of(a, b));
        nodes.set(0, confused);
        await().atMost(Duration.ofSeconds(30)).until(confused::isPrimary);
        Thread.sleep(2_000); // several membership rounds, in which b1 is discovered and asked
        assertThat(confused.members()).extracting(Member::id).containsExactly(NodeId.of("a1"));
        assertThat(second.members()).extracting(Member::id).containsExactly(NodeId.of("b1"));
        assertThat(second.isPrimary()).isTrue();

        // what b1 answers a peer of the other cluster, and a peer that has not joined any yet
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(b.substring(b.lastIndexOf(':') + 1)));
        try (RawPeer peer = new RawPeer(address)) {
            HandshakeReply reply = peer.handshake(Handshake.current("cluster-mode", NodeId.of("a1"), new byte[0],
                    confused.clusterId().orElseThrow()));
            assertThat(reply.accepted()).isFalse();
            assertThat(reply.refusal()).contains("cluster id " + confused.clusterId().orElseThrow(),
                    "is not this node's cluster id " + second.clusterId().orElseThrow(), "two clusters are named");
        }
        try (RawPeer peer = new RawPeer(address)) {
            assertThat(peer.handshake(Handshake.current("cluster-mode", NodeId.of("newcomer"))).accepted()).isTrue();
        }
    }

    private Cluster<Void, ?> start(String id, String address, List<String> seeds) throws IOException {
        return Cluster.start(ClusterConfig.builder()
                .nodeId(NodeId.of(id))
                .bind(address)
                .seeds(seeds)
                .minNodes(Math.min(3, seeds.size()))
                .dataDir(dir.resolve(id))
                .heartbeatInterval(Duration.ofMillis(50))
                .electionTimeout(Duration.ofMillis(300))
                .updateInterval(Duration.ofMillis(200))
                .build());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
