package io.clustermode.netty;

import io.clustermode.codec.Handshake;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static io.clustermode.netty.TestNodes.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RefusalTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void closeAll() {
        nodes.close();
    }

    @Test
    void aNodeOfAnotherClusterIsRefusedWhileTheOthersKeepTalking() throws Exception {
        try (LogCapture log = new LogCapture()) {
            TestNodes.Node a = nodes.start("a", "127.0.0.1");
            TestNodes.Node b = nodes.start("b", "127.0.0.2");
            TestNodes.Node x = nodes.start("x", "127.0.0.3", 0, "other-cluster", c -> c);
            a.transport.updatePeers(Map.of(b.id, b.address(), x.id, x.address()));
            b.transport.updatePeers(Map.of(a.id, a.address()));
            x.transport.updatePeers(Map.of(a.id, a.address()));

            // Both sides of each refused connection hear why.
            await().atMost(PATIENCE).until(() ->
                    a.unreachableMentions(x.id, "cluster 'test-cluster' is not this node's cluster 'other-cluster'"));
            await().atMost(PATIENCE).until(() ->
                    x.unreachableMentions(a.id, "cluster 'other-cluster' is not this node's cluster 'test-cluster'"));

            // a and b are not disturbed.
            a.transport.send(heartbeat(a.id, b.id, 1));
            b.transport.send(heartbeat(b.id, a.id, 2));
            a.transport.send(heartbeat(a.id, x.id, 3));
            x.transport.send(heartbeat(x.id, a.id, 4));
            await().atMost(PATIENCE).until(() -> !b.received.isEmpty() && !a.received.isEmpty());
            assertThat(a.received).allMatch(m -> m.from().equals(b.id));
            assertThat(x.received).isEmpty();

            assertThatThrownBy(() -> a.transport.identify(x.address()).join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(HandshakeRefusedException.class)
                    .hasMessageContaining("cluster 'test-cluster' is not this node's cluster 'other-cluster'");

            // WARN on both sides, naming the peer's address and the reason.
            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(log.lines("WARN")).anySatisfy(line -> assertThat(line)
                        .contains("x: refused connection from a (127.0.0.1:")
                        .contains("cluster 'test-cluster' is not this node's cluster 'other-cluster'"));
                assertThat(log.lines("WARN")).anySatisfy(line -> assertThat(line)
                        .contains("a: x (" + x.address() + ") refused the connection")
                        .contains("cluster 'test-cluster' is not this node's cluster 'other-cluster'"));
            });
            assertThat(log.lines("ERROR")).noneMatch(line -> line.contains("NettyTransport"));
        }
    }

    @Test
    void anIncompatibleProtocolVersionIsRefusedWithAReason() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        try (RawPeer raw = new RawPeer(a.transport.localAddress())) {
            HandshakeReply reply = raw.handshake(new Handshake(3, TestNodes.CLUSTER, NodeId.of("future")));
            assertThat(reply.accepted()).isFalse();
            assertThat(reply.nodeId()).isEqualTo(a.id);
            assertThat(reply.refusal()).isEqualTo("protocol version 3 is not supported (this node speaks 2)");
            assertThat(raw.closedByPeer()).isTrue();
        }
    }

    @Test
    void theRefusedSideBacksOffToTheMaximum() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        try (LogCapture log = new LogCapture()) {
            TestNodes.Node x = nodes.start("x", "127.0.0.3", 0, "other-cluster",
                    c -> c.reconnectBackoff(Duration.ofMillis(10), Duration.ofSeconds(2)));
            x.transport.updatePeers(Map.of(a.id, a.address()));
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(log.lines("WARN"))
                    .anySatisfy(line -> assertThat(line).contains("refused the connection")
                            .contains("retrying in 2000 ms")));
        }
    }
}
