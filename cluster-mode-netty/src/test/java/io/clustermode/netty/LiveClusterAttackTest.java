package io.clustermode.netty;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.Consistency;
import io.clustermode.Member;
import io.clustermode.StateMachine;
import io.clustermode.codec.Handshake;
import io.clustermode.codec.HandshakeProof;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.codec.MessageCodec;
import io.clustermode.raft.Configuration;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.SnapshotMeta;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The attacks of issue 12 played against three live nodes over real sockets: an outsider who
 * reaches the port, and an insider who holds the cluster secret but sends what no honest node
 * sends. Each attack is refused or harmless: the cluster keeps its primary, its term stays far
 * from overflow, and every acknowledged write is still there.
 */
class LiveClusterAttackTest {

    private static final byte[] SECRET = "live cluster attack test secret".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final List<Cluster<Integer, ?>> nodes = new ArrayList<>();
    private final List<ClusterConfig> configs = new ArrayList<>();
    private final List<InetSocketAddress> addresses = new ArrayList<>();

    /** Remembers every command, in order; the result is how many it holds. */
    static final class Journal implements StateMachine<Integer> {
        final List<String> commands = new ArrayList<>();

        @Override
        public Integer apply(long index, byte[] command) {
            commands.add(new String(command, StandardCharsets.UTF_8));
            return commands.size();
        }

        @Override
        public byte[] snapshot() {
            return String.join("\n", commands).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void restore(byte[] snapshot) {
            commands.clear();
            String text = new String(snapshot, StandardCharsets.UTF_8);
            if (!text.isEmpty()) {
                commands.addAll(List.of(text.split("\n")));
            }
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(Cluster::closeNow);
    }

    private void startCluster() throws Exception {
        Path secret = dir.resolve("secret");
        Files.write(secret, SECRET);
        List<String> seeds = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (ServerSocket probe = new ServerSocket(0)) {
                ports.add(probe.getLocalPort());
            }
            seeds.add("127.0.0.1:" + ports.get(i));
            addresses.add(new InetSocketAddress("127.0.0.1", ports.get(i)));
        }
        for (int i = 0; i < 3; i++) {
            configs.add(ClusterConfig.builder()
                    .nodeId(NodeId.of("n" + i))
                    .bind(seeds.get(i))
                    .seeds(seeds)
                    .clusterSecretFile(secret)
                    .dataDir(dir.resolve("n" + i))
                    .heartbeatInterval(Duration.ofMillis(50))
                    .electionTimeout(Duration.ofMillis(300))
                    .updateInterval(Duration.ofMillis(200))
                    .build());
            nodes.add(Cluster.start(configs.get(i), new Journal()));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> primary() != null
                && primary().members().stream().filter(Member::voter).count() == 3);
    }

    private Cluster<Integer, ?> primary() {
        return nodes.stream().filter(Cluster::isPrimary).findFirst().orElse(null);
    }

    private List<String> writeSome(String prefix, int count) throws Exception {
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String command = prefix + i;
            primary().submit(command.getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            acknowledged.add(command);
        }
        return acknowledged;
    }

    /** Every node holds every acknowledged write, and the primary is the one from before. */
    private void assertUnharmed(Cluster<Integer, ?> primaryBefore, long termBefore, List<String> acknowledged)
            throws Exception {
        assertThat(primary()).isSameAs(primaryBefore);
        assertThat(primaryBefore.fencingToken()).hasValue(termBefore);
        List<String> all = new ArrayList<>(acknowledged);
        all.addAll(writeSome("after-", 3));
        for (Cluster<Integer, ?> node : nodes) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(node.read(
                    m -> List.copyOf(((Journal) m).commands), Consistency.STALE).get()).containsAll(all));
            assertThat(node.status().term()).isLessThan(1L << 32);
        }
    }

    /** Opens a connection as {@code claimed}, proving the secret like a member would. */
    private RawPeer insider(InetSocketAddress target, NodeId server, NodeId claimed) throws Exception {
        RawPeer peer = new RawPeer(target);
        byte[] nonce = ClusterSecret.nonce();
        HandshakeReply challenge = peer.handshake(Handshake.current("cluster-mode", claimed, nonce));
        assertThat(challenge.isChallenge()).isTrue();
        byte[] proof = ClusterSecret.of(SECRET).clientProof("cluster-mode", claimed, server, nonce, challenge.nonce());
        peer.sendFrame(new HandshakeProof(proof).encode());
        assertThat(HandshakeReply.decode(ByteBuffer.wrap(peer.readFrame())).accepted()).isTrue();
        return peer;
    }

    private List<Message> hostileMessages(NodeId from, NodeId to, long term) {
        Configuration voters = Configuration.ofVoters(Set.of(NodeId.of("n0"), NodeId.of("n1"), NodeId.of("n2")));
        return List.of(
                new Message.Heartbeat(from, to, Long.MAX_VALUE, 0, 0),
                new Message.AppendResponse(from, to, term, true, 0, 1L << 40, 0, 0),
                new Message.HeartbeatResponse(from, to, term, Long.MAX_VALUE / 2, true),
                new Message.TimeoutNow(from, to, term),
                new Message.TimeoutNow(from, to, term + 1),
                new Message.InstallSnapshot(from, to, term, new SnapshotMeta(1_000_000, term, voters), 0,
                        "not a journal \u0000 at all".getBytes(StandardCharsets.UTF_8), true));
    }

    @Test
    void when_an_outsider_without_the_secret_sends_every_attack_then_nothing_is_read() throws Exception {
        startCluster();
        Cluster<Integer, ?> primary = primary();
        long term = primary.fencingToken().orElseThrow();
        List<String> acknowledged = writeSome("before-", 10);
        NodeId follower = nodes.stream().filter(n -> n != primary).findFirst().orElseThrow().id();
        for (int i = 0; i < nodes.size(); i++) {
            try (RawPeer outsider = new RawPeer(addresses.get(i))) {
                HandshakeReply reply = outsider.handshake("cluster-mode", follower.value());
                assertThat(reply.accepted()).isFalse();
                for (Message message : hostileMessages(follower, nodes.get(i).id(), term)) {
                    try {
                        outsider.sendFrame(MessageCodec.encode(message));
                    } catch (java.io.IOException closed) {
                        break; // refused and closed
                    }
                }
                assertThat(outsider.closedByPeer()).isTrue();
            }
        }
        assertUnharmed(primary, term, acknowledged);
    }

    @Test
    void when_an_insider_sends_what_no_honest_node_sends_then_each_message_is_refused_and_nothing_is_lost()
            throws Exception {
        startCluster();
        Cluster<Integer, ?> primary = primary();
        long term = primary.fencingToken().orElseThrow();
        List<String> acknowledged = writeSome("before-", 10);
        List<Cluster<Integer, ?>> followers = nodes.stream().filter(n -> n != primary).toList();
        for (int i = 0; i < nodes.size(); i++) {
            Cluster<Integer, ?> target = nodes.get(i);
            // Speak as a follower other than the target, so that the message is from a member.
            NodeId as = followers.stream().map(Cluster::id).filter(id -> !id.equals(target.id())).findFirst()
                    .orElseThrow();
            try (RawPeer insider = insider(addresses.get(i), target.id(), as)) {
                for (Message message : hostileMessages(as, target.id(), term)) {
                    insider.sendFrame(MessageCodec.encode(message));
                }
                // A stranger's higher term: dropped, not adopted.
                try (RawPeer stranger = insider(addresses.get(i), target.id(), NodeId.of("stranger"))) {
                    stranger.sendFrame(MessageCodec.encode(new Message.Heartbeat(NodeId.of("stranger"), target.id(),
                            term + 5, 0, 0)));
                }
                Thread.sleep(200);
            }
        }
        assertUnharmed(primary, term, acknowledged);
        assertThat(nodes).allSatisfy(n -> assertThat(n.status().term()).isEqualTo(term));

        // Every node restarts from its data dir: nothing hostile was persisted, so the next terms
        // are ordinary ones and a primary is elected with every acknowledged write.
        nodes.forEach(Cluster::closeNow);
        nodes.clear();
        for (ClusterConfig config : configs) {
            nodes.add(Cluster.start(config, new Journal()));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> primary() != null);
        Cluster<Integer, ?> restarted = primary();
        List<String> all = new ArrayList<>(acknowledged);
        all.addAll(writeSome("restarted-", 3));
        assertThat(restarted.read(m -> List.copyOf(((Journal) m).commands), Consistency.LINEARIZABLE).get())
                .containsAll(all);
        assertThat(restarted.status().term()).isGreaterThan(term).isLessThan(term + 100);
    }
}
