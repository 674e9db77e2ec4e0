package io.clustermode.netty;

import io.clustermode.Committed;
import io.clustermode.StateMachine;
import io.clustermode.raft.Configuration;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.Role;
import io.clustermode.runtime.NodeSettings;
import io.clustermode.runtime.RaftNode;
import io.clustermode.storage.FileStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whole nodes — event loop, file storage, Netty transport — on real loopback sockets and real
 * files: election, replication, losing the leader, restarting everyone from disk, and peers
 * that must be refused (another cluster, another CA) while the cluster keeps working.
 */
class TcpClusterTest {

    private static final List<NodeId> IDS = List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));
    private static final String CLUSTER = "tcp-test";

    /** Keeps every applied command, in order. */
    static final class Journal implements StateMachine<Integer> {
        final List<String> applied = new ArrayList<>();

        @Override
        public Integer apply(long index, byte[] command) {
            applied.add(new String(command, StandardCharsets.UTF_8));
            return applied.size();
        }

        @Override
        public byte[] snapshot() {
            return String.join("\n", applied).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void restore(byte[] snapshot) {
            applied.clear();
            String text = new String(snapshot, StandardCharsets.UTF_8);
            if (!text.isEmpty()) {
                applied.addAll(List.of(text.split("\n")));
            }
        }
    }

    @TempDir
    Path dir;

    private final Map<NodeId, Integer> ports = new HashMap<>();
    private final Map<NodeId, RaftNode<Integer>> nodes = new LinkedHashMap<>();
    private final List<AutoCloseable> extras = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        nodes.values().forEach(RaftNode::close);
        for (AutoCloseable extra : extras) {
            extra.close();
        }
    }

    private int port(NodeId id) {
        return ports.computeIfAbsent(id, i -> {
            try (ServerSocket probe = new ServerSocket(0)) {
                return probe.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private Map<NodeId, String> addresses() {
        Map<NodeId, String> all = new HashMap<>();
        IDS.forEach(id -> all.put(id, "127.0.0.1:" + port(id)));
        return all;
    }

    private RaftNode<Integer> start(NodeId id, UnaryOperator<NettyTransportConfig.Builder> tweak) throws IOException {
        NettyTransport transport = new NettyTransport(tweak.apply(
                NettyTransportConfig.builder(id, CLUSTER, new InetSocketAddress("127.0.0.1", port(id)))
                        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))).build());
        Map<NodeId, String> peers = addresses();
        peers.remove(id);
        transport.updatePeers(peers);
        NodeSettings settings = NodeSettings.defaults(id)
                .withTimeouts(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(300))
                .withSnapshotEvery(40);
        RaftNode<Integer> node = RaftNode.start(settings, FileStorage.open(dir.resolve(id.value()), CLUSTER, id),
                transport, new Journal());
        nodes.put(id, node);
        return node;
    }

    private void startCluster(UnaryOperator<NettyTransportConfig.Builder> tweak) throws Exception {
        for (NodeId id : IDS) {
            start(id, tweak);
        }
        for (RaftNode<Integer> node : nodes.values()) {
            node.bootstrap(Configuration.ofVoters(IDS)).get(10, TimeUnit.SECONDS);
        }
    }

    private RaftNode<Integer> awaitLeader(RaftNode<?> not) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> nodes.values().stream()
                .filter(n -> n != not && n.status().running() && n.status().role() == Role.LEADER)
                .findFirst().orElse(null), leader -> leader != null);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> journal(RaftNode<Integer> node) throws Exception {
        return node.readStale(machine -> List.copyOf(((Journal) machine).applied)).get(10, TimeUnit.SECONDS);
    }

    private List<String> writeAll(RaftNode<Integer> leader, String prefix, int count) throws Exception {
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String command = prefix + i;
            Committed<Integer> committed = leader.propose(bytes(command)).get(10, TimeUnit.SECONDS);
            assertThat(committed.index()).isPositive();
            acknowledged.add(command);
        }
        return acknowledged;
    }

    @Test
    void a_cluster_elects_replicates_loses_its_leader_and_keeps_every_acknowledged_entry() throws Exception {
        startCluster(b -> b);
        RaftNode<Integer> first = awaitLeader(null);
        List<String> acknowledged = new ArrayList<>(writeAll(first, "one-", 100));

        first.close(); // the process goes away: sockets close, nothing is handed over
        RaftNode<Integer> second = awaitLeader(first);
        acknowledged.addAll(writeAll(second, "two-", 50));
        assertThat(journal(second)).containsAll(acknowledged);

        RaftNode<Integer> back = start(first.id(), b -> b);
        await().atMost(Duration.ofSeconds(30)).until(() -> back.status().appliedIndex()
                >= second.status().commitIndex());
        assertThat(journal(back)).containsAll(acknowledged);
    }

    @Test
    void a_restart_of_every_node_from_its_files_keeps_every_acknowledged_entry() throws Exception {
        startCluster(b -> b);
        List<String> acknowledged = writeAll(awaitLeader(null), "durable-", 120);
        for (RaftNode<Integer> node : nodes.values()) {
            node.close();
        }
        nodes.clear();
        startCluster(b -> b); // bootstrap is a no-op on nodes that have state
        RaftNode<Integer> leader = awaitLeader(null);
        int seen = leader.read(machine -> ((Journal) machine).applied.size()).get(10, TimeUnit.SECONDS);
        assertThat(seen).isEqualTo(acknowledged.size());
        assertThat(journal(leader)).containsExactlyElementsOf(acknowledged);
    }

    @Test
    void a_node_of_another_cluster_is_refused_while_the_cluster_keeps_working() throws Exception {
        startCluster(b -> b);
        RaftNode<Integer> leader = awaitLeader(null);
        NettyTransport intruder = new NettyTransport(NettyTransportConfig.builder(NodeId.of("x"), "other-cluster",
                new InetSocketAddress("127.0.0.1", 0)).build());
        extras.add(intruder);
        intruder.start(message -> { });
        intruder.updatePeers(addresses());
        long term = leader.status().term();
        for (NodeId id : IDS) {
            // A vote request of a far higher term: accepted, it would depose the leader.
            intruder.send(new Message.VoteRequest(NodeId.of("x"), id, term + 100, 1_000, term + 50, false, true));
        }
        List<String> acknowledged = writeAll(leader, "steady-", 30);
        assertThat(leader.status().term()).isEqualTo(term);
        assertThat(leader.status().role()).isEqualTo(Role.LEADER);
        assertThat(journal(leader)).containsAll(acknowledged);
        assertThat(intruder.isConnected(IDS.get(0))).isFalse();
    }

    @Test
    void mutual_tls_carries_the_cluster_and_refuses_a_certificate_of_another_ca() throws Exception {
        TestPki.Ca ca = TestPki.newCa("cluster", dir);
        TestPki.Ca stranger = TestPki.newCa("stranger", dir);
        Map<NodeId, TlsConfig> certs = new HashMap<>();
        for (NodeId id : IDS) {
            certs.put(id, ca.issueMutual(id.value()));
        }
        for (NodeId id : IDS) {
            start(id, b -> b.tls(certs.get(id)));
        }
        for (RaftNode<Integer> node : nodes.values()) {
            node.bootstrap(Configuration.ofVoters(IDS)).get(10, TimeUnit.SECONDS);
        }
        RaftNode<Integer> leader = awaitLeader(null);
        List<String> acknowledged = writeAll(leader, "tls-", 20);

        NettyTransport impostor = new NettyTransport(NettyTransportConfig.builder(NodeId.of("x"), CLUSTER,
                new InetSocketAddress("127.0.0.1", 0)).tls(stranger.issueMutual("x")).build());
        extras.add(impostor);
        List<Message> received = new ArrayList<>();
        impostor.start(received::add);
        impostor.updatePeers(addresses());
        long term = leader.status().term();
        for (NodeId id : IDS) {
            impostor.send(new Message.VoteRequest(NodeId.of("x"), id, term + 100, 1_000, term + 50, false, true));
        }
        acknowledged.addAll(writeAll(leader, "still-", 20));
        assertThat(leader.status().term()).isEqualTo(term);
        assertThat(impostor.isConnected(IDS.get(1))).isFalse();
        for (RaftNode<Integer> node : nodes.values()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> node.status().appliedIndex()
                    >= leader.status().commitIndex() - 1);
        }
        assertThat(journal(leader)).containsAll(acknowledged);
    }
}
