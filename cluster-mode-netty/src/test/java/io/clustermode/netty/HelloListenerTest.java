package io.clustermode.netty;

import io.clustermode.NodeId;
import io.clustermode.codec.Handshake;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.transport.PeerHello;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What a node learns of a peer from its hello — its proven id, its cluster id and where it
 * listens — reaches the layer above only once the peer passed the handshake's checks: the basis
 * on which a node that is no member may ask to join.
 */
class HelloListenerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final ClusterSecret SECRET = ClusterSecret.of("correct horse battery staple".getBytes(StandardCharsets.UTF_8));
    private static final ClusterSecret OTHER = ClusterSecret.of("another cluster's secret!!".getBytes(StandardCharsets.UTF_8));

    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void close() {
        nodes.close();
    }

    @Test
    void an_identification_tells_the_node_asked_who_asks_and_where_it_listens() throws Exception {
        TestNodes.Node member = nodes.start("m", "127.0.0.1", 0, TestNodes.CLUSTER, b -> b.secret(SECRET));
        TestNodes.Node joiner = nodes.start("j", "127.0.0.2", 0, TestNodes.CLUSTER, b -> b.secret(SECRET));
        TestNodes.Node named = nodes.start("n", "127.0.0.3", 0, TestNodes.CLUSTER,
                b -> b.secret(SECRET).advertiseAddress("n.cluster.example:7600"));
        member.transport.clusterId("4f1c");

        joiner.transport.identify(member.address()).get(10, TimeUnit.SECONDS);
        named.transport.identify(member.address()).get(10, TimeUnit.SECONDS);
        // The bound address when nothing is advertised; the advertised one when it is.
        assertThat(member.hellos).containsExactly(new PeerHello(joiner.id, "", joiner.address()),
                new PeerHello(named.id, "", "n.cluster.example:7600"));
        // The other way the member's cluster id comes along.
        member.transport.identify(joiner.address()).get(10, TimeUnit.SECONDS);
        assertThat(joiner.hellos).containsExactly(new PeerHello(member.id, "4f1c", member.address()));
    }

    @Test
    void a_peer_that_fails_the_secret_is_never_reported() throws Exception {
        TestNodes.Node member = nodes.start("m", "127.0.0.1", 0, TestNodes.CLUSTER, b -> b.secret(SECRET));
        TestNodes.Node wrong = nodes.start("w", "127.0.0.2", 0, TestNodes.CLUSTER, b -> b.secret(OTHER));
        TestNodes.Node none = nodes.start("x", "127.0.0.3", 0, TestNodes.CLUSTER, b -> b);
        assertThatThrownBy(() -> wrong.transport.identify(member.address()).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("cluster secret");
        assertThatThrownBy(() -> none.transport.identify(member.address()).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("cluster secret");
        // A raw client with a nonce and a guessed proof.
        try (RawPeer intruder = new RawPeer(member.transport.localAddress())) {
            HandshakeReply challenge = intruder.handshake(Handshake.current(TestNodes.CLUSTER, NodeId.of("i"),
                    ClusterSecret.nonce(), "", "127.0.0.9:7600"));
            assertThat(challenge.isChallenge()).isTrue();
            intruder.sendFrame(new io.clustermode.codec.HandshakeProof(new byte[32]).encode());
            assertThat(intruder.closedByPeer()).isTrue();
        }
        // The control: one that holds the secret is reported, and it is the only one.
        TestNodes.Node right = nodes.start("r", "127.0.0.4", 0, TestNodes.CLUSTER, b -> b.secret(SECRET));
        right.transport.identify(member.address()).get(10, TimeUnit.SECONDS);
        await().atMost(PATIENCE).until(() -> !member.hellos.isEmpty());
        assertThat(member.hellos).extracting(PeerHello::nodeId).containsExactly(right.id);
    }

    @Test
    void an_advertised_address_no_node_can_connect_to_is_dropped_and_the_peer_still_reported() throws Exception {
        TestNodes.Node member = nodes.start("m", "127.0.0.1");
        for (String unusable : new String[] {"no-port", "fd00::1:7600", "host:0", "host:65536"}) {
            try (RawPeer peer = new RawPeer(member.transport.localAddress())) {
                assertThat(peer.handshake(Handshake.current(TestNodes.CLUSTER, NodeId.of("p"), new byte[0], "",
                        unusable)).accepted()).isTrue();
            }
        }
        try (RawPeer peer = new RawPeer(member.transport.localAddress())) {
            assertThat(peer.handshake(Handshake.current(TestNodes.CLUSTER, NodeId.of("q"), new byte[0], "",
                    "[fd00::1]:7600")).accepted()).isTrue();
        }
        await().atMost(PATIENCE).until(() -> member.hellos.size() == 5);
        assertThat(member.hellos).extracting(PeerHello::advertisedAddress)
                .containsExactly("", "", "", "", "[fd00::1]:7600");
    }
}
