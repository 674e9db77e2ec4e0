package io.clustermode.netty;

import io.clustermode.codec.Handshake;
import io.clustermode.codec.HandshakeProof;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.codec.MessageCodec;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.clustermode.netty.TestNodes.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Peers prove who they are before any message is read: with a cluster secret (a mutual HMAC
 * challenge over fresh nonces) and with mutual TLS (the certificate must name the claimed id).
 * The attacker here speaks the wire format over a real socket, as an intruder would.
 */
class PeerAuthenticationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final ClusterSecret SECRET = ClusterSecret.of("correct horse battery staple".getBytes(StandardCharsets.UTF_8));
    private static final ClusterSecret OTHER = ClusterSecret.of("another cluster's secret!!".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void close() {
        nodes.close();
    }

    private TestNodes.Node start(String id, String ip, ClusterSecret secret) throws Exception {
        return nodes.start(id, ip, 0, TestNodes.CLUSTER, b -> b.secret(secret));
    }

    private static InetSocketAddress at(TestNodes.Node node) {
        return node.transport.localAddress();
    }

    @Test
    void when_both_hold_the_secret_then_messages_flow_and_the_status_is_told() throws Exception {
        TestNodes.Node a = start("a", "127.0.0.1", SECRET);
        TestNodes.Node b = start("b", "127.0.0.2", SECRET);
        b.selfDescription = new byte[]{4, 2};
        TestNodes.connectAll(a, b);
        a.transport.send(heartbeat(a.id, b.id, 1));
        await().atMost(PATIENCE).until(() -> b.received.size() == 1);
        assertThat(a.transport.identify(b.address()).get().status()).containsExactly(4, 2);
        assertThat(b.transport.refusedHandshakes()).isZero();
    }

    @Test
    void when_secrets_differ_then_neither_side_accepts_the_other() throws Exception {
        TestNodes.Node a = start("a", "127.0.0.1", SECRET);
        TestNodes.Node b = start("b", "127.0.0.2", OTHER);
        TestNodes.connectAll(a, b);
        for (int i = 0; i < 20; i++) {
            a.transport.send(heartbeat(a.id, b.id, i));
            b.transport.send(heartbeat(b.id, a.id, i));
            Thread.sleep(50);
        }
        await().atMost(PATIENCE).until(() -> a.unreachableMentions(b.id, "does not prove the cluster secret")
                && b.unreachableMentions(a.id, "does not prove the cluster secret"));
        assertThat(a.received).isEmpty();
        assertThat(b.received).isEmpty();
        assertThat(a.askers).isEmpty();
        assertThat(b.askers).isEmpty();
    }

    @Test
    void when_only_one_side_has_a_secret_then_no_connection_is_made_either_way() throws Exception {
        TestNodes.Node guarded = start("guarded", "127.0.0.1", SECRET);
        TestNodes.Node open = nodes.start("open", "127.0.0.2");
        TestNodes.connectAll(guarded, open);
        for (int i = 0; i < 20; i++) {
            guarded.transport.send(heartbeat(guarded.id, open.id, i));
            open.transport.send(heartbeat(open.id, guarded.id, i));
            Thread.sleep(50);
        }
        await().atMost(PATIENCE).until(() -> open.unreachableMentions(guarded.id, "requires the cluster secret")
                && guarded.unreachableMentions(open.id, "does not prove the cluster secret"));
        assertThat(guarded.received).isEmpty();
        assertThat(open.received).isEmpty();
    }

    @Test
    void when_an_intruder_without_the_secret_connects_under_a_members_id_then_nothing_it_sends_is_read()
            throws Exception {
        TestNodes.Node a = start("a", "127.0.0.1", SECRET);
        // No nonce: it does not even try.
        try (RawPeer intruder = new RawPeer(at(a))) {
            HandshakeReply reply = intruder.handshake(TestNodes.CLUSTER, "b");
            assertThat(reply.accepted()).isFalse();
            assertThat(reply.refusal()).contains("requires the cluster secret");
            assertThat(reply.status()).isEmpty();
            assertThat(intruder.closedByPeer()).isTrue();
        }
        // A nonce and a guessed proof, then a heartbeat of the largest term right behind it.
        try (RawPeer intruder = new RawPeer(at(a))) {
            HandshakeReply challenge = intruder.handshake(Handshake.current(TestNodes.CLUSTER, NodeId.of("b"),
                    ClusterSecret.nonce()));
            assertThat(challenge.isChallenge()).isTrue();
            assertThat(challenge.status()).as("nothing about membership before the proof").isEmpty();
            intruder.sendFrame(new HandshakeProof(new byte[Handshake.NONCE_BYTES]).encode());
            intruder.sendFrame(MessageCodec.encode(new Message.Heartbeat(NodeId.of("b"), a.id, Long.MAX_VALUE, 0, 0)));
            HandshakeReply verdict = HandshakeReply.decode(ByteBuffer.wrap(intruder.readFrame()));
            assertThat(verdict.accepted()).isFalse();
            assertThat(verdict.refusal()).contains("failed the cluster secret challenge");
            assertThat(intruder.closedByPeer()).isTrue();
        }
        assertThat(a.received).isEmpty();
        assertThat(a.askers).isEmpty();
        assertThat(a.transport.refusedHandshakes()).isEqualTo(2);
    }

    @Test
    void when_a_proof_from_an_earlier_connection_is_replayed_then_it_is_refused() throws Exception {
        TestNodes.Node a = start("a", "127.0.0.1", SECRET);
        byte[] nonce = ClusterSecret.nonce();
        Handshake hello = Handshake.current(TestNodes.CLUSTER, NodeId.of("b"), nonce);
        byte[] recorded;
        // A genuine session (as a member would run it) whose proof the attacker records.
        try (RawPeer member = new RawPeer(at(a))) {
            HandshakeReply challenge = member.handshake(hello);
            recorded = SECRET.clientProof(TestNodes.CLUSTER, NodeId.of("b"), a.id, nonce, challenge.nonce());
            member.sendFrame(new HandshakeProof(recorded).encode());
            assertThat(HandshakeReply.decode(ByteBuffer.wrap(member.readFrame())).accepted()).isTrue();
        }
        try (RawPeer replayer = new RawPeer(at(a))) {
            HandshakeReply challenge = replayer.handshake(hello);
            replayer.sendFrame(new HandshakeProof(recorded).encode());
            HandshakeReply verdict = HandshakeReply.decode(ByteBuffer.wrap(replayer.readFrame()));
            assertThat(verdict.accepted()).isFalse();
            assertThat(challenge.nonce()).as("a fresh nonce per connection").isNotEqualTo(nonce);
        }
    }

    @Test
    void when_the_handshake_is_fuzzed_then_nothing_is_accepted_and_members_still_connect() throws Exception {
        TestNodes.Node a = start("a", "127.0.0.1", SECRET);
        Random random = new Random(42);
        byte[] genuineHello = Handshake.current(TestNodes.CLUSTER, NodeId.of("b"), ClusterSecret.nonce()).encode();
        byte[] genuineProof = new HandshakeProof(ClusterSecret.nonce()).encode();
        int accepted = 0;
        for (int round = 0; round < 200; round++) {
            try (RawPeer fuzzer = new RawPeer(at(a))) {
                fuzzer.socket.setSoTimeout(2_000);
                try {
                    fuzzer.sendFrame(mutate(genuineHello, random));
                    fuzzer.sendFrame(random.nextBoolean() ? mutate(genuineProof, random) : randomBytes(random));
                    fuzzer.sendFrame(MessageCodec.encode(heartbeat(NodeId.of("b"), a.id, round)));
                    for (int frames = 0; frames < 3; frames++) {
                        HandshakeReply reply = HandshakeReply.decode(ByteBuffer.wrap(fuzzer.readFrame()));
                        if (reply.accepted() && !reply.isChallenge()) {
                            accepted++;
                        }
                    }
                } catch (java.io.IOException | io.clustermode.codec.MalformedInputException closed) {
                    // Closed (or refused), as it should be.
                }
            }
        }
        assertThat(accepted).isZero();
        assertThat(a.received).isEmpty();
        TestNodes.Node b = start("b", "127.0.0.2", SECRET);
        TestNodes.connectAll(a, b);
        b.transport.send(heartbeat(b.id, a.id, 7));
        await().atMost(PATIENCE).until(() -> a.received.size() == 1);
    }

    private static byte[] mutate(byte[] genuine, Random random) {
        byte[] copy = genuine.clone();
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) {
            copy[random.nextInt(copy.length)] ^= (byte) (1 + random.nextInt(255));
        }
        return random.nextInt(5) == 0 ? java.util.Arrays.copyOf(copy, random.nextInt(copy.length)) : copy;
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
        return bytes;
    }

    @Test
    void when_a_certificate_signed_for_another_node_is_used_then_it_is_refused_in_both_directions() throws Exception {
        TestPki.Ca ca = TestPki.newCa("cluster", dir);
        TestNodes.Node n1 = nodes.start("n1", "127.0.0.1", 0, TestNodes.CLUSTER, b -> b.tls(issue(ca, "n1")));
        // A member's certificate (n2's) in the hands of someone who claims to be n3.
        TestNodes.Node impostor = nodes.start("n3", "127.0.0.2", 0, TestNodes.CLUSTER, b -> b.tls(issue(ca, "n2")));
        TestNodes.connectAll(n1, impostor);
        for (int i = 0; i < 20; i++) {
            impostor.transport.send(heartbeat(impostor.id, n1.id, i));
            n1.transport.send(heartbeat(n1.id, impostor.id, i));
            Thread.sleep(50);
        }
        await().atMost(PATIENCE).until(() -> impostor.unreachableMentions(n1.id, "not the node id n3")
                && n1.unreachableMentions(impostor.id, "not the node id n3"));
        assertThat(n1.received).isEmpty();
        assertThat(impostor.received).isEmpty();
        assertThat(n1.transport.refusedHandshakes()).isPositive();
    }

    private static TlsConfig issue(TestPki.Ca ca, String name) {
        try {
            return ca.issueMutual(name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void when_more_connections_arrive_than_the_cap_then_the_extra_ones_are_closed_and_members_still_connect()
            throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1", 0, TestNodes.CLUSTER, b -> b.maxInboundConnections(8));
        List<RawPeer> squatters = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                squatters.add(new RawPeer(at(a)));
            }
            await().atMost(PATIENCE).until(() -> a.transport.refusedConnections() == 0);
            try (RawPeer extra = new RawPeer(at(a))) {
                assertThat(extra.closedByPeer()).isTrue();
            }
            assertThat(a.transport.refusedConnections()).isEqualTo(1);
        } finally {
            for (RawPeer squatter : squatters) {
                squatter.close();
            }
        }
        TestNodes.Node b = nodes.start("b", "127.0.0.2");
        TestNodes.connectAll(a, b);
        b.transport.send(heartbeat(b.id, a.id, 1));
        await().atMost(PATIENCE).until(() -> a.received.size() == 1);
    }

    @Test
    void when_the_secret_file_is_too_short_or_missing_then_reading_it_fails_naming_the_file() throws Exception {
        Path shortFile = dir.resolve("short");
        Files.writeString(shortFile, "tiny\n");
        assertThatThrownBy(() -> ClusterSecret.read(shortFile)).hasMessageContaining(shortFile.toString())
                .hasMessageContaining("at least 16");
        assertThatThrownBy(() -> ClusterSecret.read(dir.resolve("absent"))).hasMessageContaining("absent");
        Path good = dir.resolve("good");
        Files.writeString(good, "correct horse battery staple\n");
        assertThat(ClusterSecret.read(good).serverProof("c", NodeId.of("x"), NodeId.of("y"), new byte[32],
                new byte[32])).isEqualTo(SECRET.serverProof("c", NodeId.of("x"), NodeId.of("y"), new byte[32],
                new byte[32]));
        assertThat(Map.of("s", SECRET).toString()).doesNotContain("horse");
    }
}
