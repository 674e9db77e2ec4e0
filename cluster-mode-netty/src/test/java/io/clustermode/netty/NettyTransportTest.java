package io.clustermode.netty;

import io.clustermode.codec.Handshake;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.codec.MessageCodec;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.SnapshotMeta;
import io.clustermode.raft.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static io.clustermode.netty.TestNodes.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class NettyTransportTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void closeAll() {
        nodes.close();
    }

    @Test
    void identify_carries_the_answering_nodes_self_description_and_tells_it_who_asked() throws Exception {
        try (TestNodes nodes = new TestNodes()) {
            TestNodes.Node a = nodes.start("a", "127.0.0.1");
            TestNodes.Node b = nodes.start("b", "127.0.0.1");
            b.selfDescription = new byte[] {1, 2, 3};
            io.clustermode.transport.PeerIdentity identity = a.transport.identify(b.address()).get(20, TimeUnit.SECONDS);
            assertThat(identity.nodeId()).isEqualTo(b.id);
            assertThat(identity.status()).containsExactly(1, 2, 3);
            assertThat(b.askers).contains(a.id);
        }
    }

    @Test
    void threeTransportsExchangeEveryMessageType() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        TestNodes.Node b = nodes.start("b", "127.0.0.2");
        TestNodes.Node c = nodes.start("c", "127.0.0.3");
        TestNodes.connectAll(a, b, c);

        List<TestNodes.Node> all = List.of(a, b, c);
        for (TestNodes.Node from : all) {
            for (TestNodes.Node to : all) {
                if (from != to) {
                    // Sent at once, before any connection is up: the queue holds them.
                    for (Message m : TestNodes.everyType(from.id, to.id)) {
                        assertThat(from.transport.send(m)).isTrue();
                    }
                }
            }
        }

        await().atMost(PATIENCE).untilAsserted(() -> {
            for (TestNodes.Node from : all) {
                for (TestNodes.Node to : all) {
                    if (from != to) {
                        assertThat(to.receivedFrom(from.id))
                                .isEqualTo(TestNodes.hexes(TestNodes.everyType(from.id, to.id)));
                    }
                }
            }
        });
        for (TestNodes.Node node : all) {
            assertThat(node.received).hasSize(18);
            assertThat(node.transport.droppedMessages()).isZero();
            assertThat(node.unreachable).isEmpty();
        }
    }

    @Test
    void messagesArriveInTheOrderTheyWereSent() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        TestNodes.Node b = nodes.start("b", "127.0.0.2");
        TestNodes.connectAll(a, b);
        for (int i = 0; i < 2000; i++) {
            assertThat(a.transport.send(heartbeat(a.id, b.id, i))).isTrue();
        }
        await().atMost(PATIENCE).until(() -> b.received.size() == 2000);
        long expected = 0;
        for (Message m : b.received) {
            assertThat(((Message.Heartbeat) m).sequence()).isEqualTo(expected++);
        }
    }

    @Test
    void peersGivenBeforeStartAreConnectedOnStart() throws Exception {
        TestNodes.Node b = nodes.start("b", "127.0.0.2");
        TestNodes.Node a = new TestNodes.Node(TestNodes.config("a", "127.0.0.1", 0, TestNodes.CLUSTER).build());
        try {
            a.transport.updatePeers(Map.of(b.id, b.address()));
            assertThat(a.transport.send(heartbeat(a.id, b.id, 1))).isFalse();
            a.transport.start(a);
            assertThat(a.transport.send(heartbeat(a.id, b.id, 2))).isTrue();
            await().atMost(PATIENCE).until(() -> b.received.size() == 1);
        } finally {
            a.transport.close();
        }
    }

    @Test
    void reconnectsAfterThePeerRestarts() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        TestNodes.Node b = nodes.start("b", "127.0.0.2");
        TestNodes.connectAll(a, b);
        a.transport.send(heartbeat(a.id, b.id, 1));
        await().atMost(PATIENCE).until(() -> !b.received.isEmpty());

        int port = b.port();
        b.transport.close();
        await().atMost(PATIENCE).until(() -> a.unreachableMentions(b.id, ""));
        await().atMost(PATIENCE).until(() -> !a.transport.isConnected(b.id));

        TestNodes.Node b2 = nodes.start("b", "127.0.0.2", port, TestNodes.CLUSTER, x -> x);
        b2.transport.updatePeers(Map.of(a.id, a.address()));
        long[] sequence = {100};
        await().atMost(PATIENCE).untilAsserted(() -> {
            a.transport.send(heartbeat(a.id, b2.id, sequence[0]++));
            assertThat(b2.received).isNotEmpty();
        });
        assertThat(a.transport.isConnected(b2.id)).isTrue();
        // And the other way, on the restarted node's own new connection.
        b2.transport.send(heartbeat(b2.id, a.id, 7));
        await().atMost(PATIENCE).until(() -> a.received.stream().anyMatch(m -> m.from().equals(b2.id)));
    }

    @Test
    void aPeerThatConnectsToUsIsConnectedBackWithoutWaitingOutTheBackoff() throws Exception {
        // a would wait a minute before retrying b; b coming back and connecting to a must end that wait.
        TestNodes.Node a = nodes.start("a", "127.0.0.1", 0, TestNodes.CLUSTER,
                x -> x.reconnectBackoff(Duration.ofSeconds(60), Duration.ofSeconds(60)));
        TestNodes.Node b = nodes.start("b", "127.0.0.2");
        TestNodes.connectAll(a, b);
        await().atMost(PATIENCE).until(() -> a.transport.isConnected(b.id));
        int port = b.port();
        b.transport.close();
        await().atMost(PATIENCE).until(() -> !a.transport.isConnected(b.id));

        TestNodes.Node b2 = nodes.start("b", "127.0.0.2", port, TestNodes.CLUSTER, x -> x);
        b2.transport.updatePeers(Map.of(a.id, a.address()));
        await().atMost(PATIENCE).until(() -> a.transport.isConnected(b2.id));
        a.transport.send(heartbeat(a.id, b2.id, 1));
        await().atMost(PATIENCE).until(() -> !b2.received.isEmpty());
    }

    @Test
    void identifyReturnsTheNodeIdAtAnAddress() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        TestNodes.Node b = nodes.start("b", "127.0.0.2");

        assertThat(a.transport.identify(b.address()).get(20, TimeUnit.SECONDS).nodeId()).isEqualTo(b.id);
        assertThat(a.transport.identify(a.address()).get(20, TimeUnit.SECONDS).nodeId()).isEqualTo(a.id);

        int closedPort = freePort("127.0.0.1");
        assertThatThrownBy(() -> a.transport.identify("127.0.0.1:" + closedPort).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class)
                .cause().isNotInstanceOf(HandshakeRefusedException.class);
        assertThatThrownBy(() -> a.transport.identify("no-port").join())
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hostNamesAreResolved() throws Exception {
        TestNodes.Node a = nodes.start("a", "0.0.0.0");
        TestNodes.Node b = nodes.start("b", "127.0.0.1");
        assertThat(a.transport.identify("localhost:" + b.port()).get(20, TimeUnit.SECONDS).nodeId()).isEqualTo(b.id);

        a.transport.updatePeers(Map.of(b.id, "localhost:" + b.port(), NodeId.of("ghost"), "no-such-host.invalid:9"));
        a.transport.send(heartbeat(a.id, b.id, 1));
        await().atMost(PATIENCE).until(() -> b.received.size() == 1);
        await().atMost(PATIENCE).until(() -> a.unreachableMentions(NodeId.of("ghost"), "no-such-host.invalid"));
    }

    @Test
    void theAdvertisedAddressIsConfiguredOrTheBoundOne() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.2");
        assertThat(a.transport.advertiseAddress()).isEqualTo("127.0.0.2:" + a.port());
        TestNodes.Node b = nodes.start("b", "127.0.0.3", 0, TestNodes.CLUSTER,
                x -> x.advertiseAddress("node-b.example:7000"));
        assertThat(b.transport.advertiseAddress()).isEqualTo("node-b.example:7000");
        TestNodes.Node c = nodes.start("c", "0.0.0.0");
        assertThat(c.transport.advertiseAddress()).endsWith(":" + c.port()).doesNotStartWith("0.0.0.0");
    }

    @Test
    void aPortInUseFailsTheStartAndLeavesTheTransportClosed() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        NettyTransport clash = new NettyTransport(TestNodes.config("b", "127.0.0.1", a.port(), TestNodes.CLUSTER)
                .build());
        assertThatThrownBy(() -> clash.start(new TestNodes.Node(clash.config())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + a.port());
        assertThat(clash.send(heartbeat(clash.config().self(), a.id, 1))).isFalse();
        clash.close();
    }

    @Test
    void aPeerMapEntryPointingAtAnotherNodeIsRefused() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        TestNodes.Node c = nodes.start("c", "127.0.0.3");
        a.transport.updatePeers(Map.of(NodeId.of("b"), c.address()));

        await().atMost(PATIENCE).until(() -> a.unreachableMentions(NodeId.of("b"), "is c, not b"));
        assertThat(a.transport.send(heartbeat(a.id, NodeId.of("b"), 1))).isTrue();
        assertThat(c.received).isEmpty();
    }

    @Test
    void theQueueOfAPeerThatIsDownIsBounded() throws Exception {
        int port = freePort("127.0.0.2");
        TestNodes.Node a = nodes.start("a", "127.0.0.1", 0, TestNodes.CLUSTER, x -> x.maxQueuedMessagesPerPeer(16));
        NodeId b = NodeId.of("b");
        a.transport.updatePeers(Map.of(b, "127.0.0.2:" + port));

        List<Boolean> accepted = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            accepted.add(a.transport.send(heartbeat(a.id, b, i)));
        }
        assertThat(accepted.subList(0, 16)).containsOnly(true);
        assertThat(accepted.subList(16, 20)).containsOnly(false);
        assertThat(a.transport.queuedMessages(b)).isEqualTo(16);
        assertThat(a.transport.droppedMessages(b)).isEqualTo(4);
        assertThat(a.transport.droppedMessages()).isEqualTo(4);
        await().atMost(PATIENCE).until(() -> a.unreachableMentions(b, "Connection refused"));

        // When the peer comes up, the queued messages go out, oldest first.
        TestNodes.Node bNode = nodes.start("b", "127.0.0.2", port, TestNodes.CLUSTER, x -> x);
        await().atMost(PATIENCE).until(() -> bNode.received.size() == 16);
        assertThat(((Message.Heartbeat) bNode.received.peek()).sequence()).isZero();
        assertThat(a.transport.queuedMessages(b)).isZero();
    }

    @Test
    void messagesToUnknownPeersOrAfterCloseAreDropped() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        assertThat(a.transport.send(heartbeat(a.id, NodeId.of("stranger"), 1))).isFalse();
        assertThat(a.transport.droppedMessages()).isEqualTo(1);
        assertThatThrownBy(() -> a.transport.send(heartbeat(NodeId.of("other"), a.id, 1)))
                .isInstanceOf(IllegalArgumentException.class);
        a.transport.close();
        a.transport.close();
        assertThat(a.transport.send(heartbeat(a.id, NodeId.of("b"), 1))).isFalse();
        assertThatThrownBy(() -> a.transport.start(a)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMessageOfExactlyTheFrameLimitPassesAndOneByteMoreIsDroppedAtSend() throws Exception {
        int limit = NettyTransportConfig.MIN_FRAME_BYTES;
        TestNodes.Node a = nodes.start("a", "127.0.0.1", 0, TestNodes.CLUSTER, x -> x.maxFrameBytes(limit));
        TestNodes.Node b = nodes.start("b", "127.0.0.2", 0, TestNodes.CLUSTER, x -> x.maxFrameBytes(limit));
        TestNodes.connectAll(a, b);
        int overhead = MessageCodec.sizeOf(snapshotChunk(a.id, b.id, 0));

        assertThat(a.transport.send(snapshotChunk(a.id, b.id, limit - overhead + 1))).isFalse();
        assertThat(a.transport.droppedMessages(b.id)).isEqualTo(1);

        Message exact = snapshotChunk(a.id, b.id, limit - overhead);
        assertThat(MessageCodec.sizeOf(exact)).isEqualTo(limit);
        assertThat(a.transport.send(exact)).isTrue();
        await().atMost(PATIENCE).until(() -> b.received.size() == 1);
        assertThat(TestNodes.hex(b.received.peek())).isEqualTo(TestNodes.hex(exact));
    }

    private static Message snapshotChunk(NodeId from, NodeId to, int bytes) {
        return new Message.InstallSnapshot(from, to, 1, new SnapshotMeta(1, 1, Configuration.ofVoters(from)), 0,
                new byte[bytes], true);
    }

    @Test
    void removingAPeerClosesItsConnectionAndDropsItsMessages() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        TestNodes.Node b = nodes.start("b", "127.0.0.2");
        TestNodes.connectAll(a, b);
        await().atMost(PATIENCE).until(() -> a.transport.isConnected(b.id));
        a.transport.updatePeers(Map.of());
        assertThat(a.transport.isConnected(b.id)).isFalse();
        assertThat(a.transport.send(heartbeat(a.id, b.id, 1))).isFalse();
        // Removal is not an outage.
        assertThat(a.unreachable).isEmpty();
    }

    @Test
    void aPeerThatMovesIsReconnectedAtItsNewAddress() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        TestNodes.Node b = nodes.start("b", "127.0.0.2");
        TestNodes.connectAll(a, b);
        await().atMost(PATIENCE).until(() -> a.transport.isConnected(b.id));

        b.transport.close();
        TestNodes.Node moved = nodes.start("b", "127.0.0.4");
        a.transport.updatePeers(Map.of(b.id, moved.address()));
        await().atMost(PATIENCE).untilAsserted(() -> {
            a.transport.send(heartbeat(a.id, b.id, 1));
            assertThat(moved.received).isNotEmpty();
        });
    }

    @Test
    void outgoingConnectionsLeaveFromTheBindAddress() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            listener.setSoTimeout(20_000);
            TestNodes.Node a = nodes.start("a", "127.0.0.2");
            a.transport.updatePeers(Map.of(NodeId.of("x"), "127.0.0.1:" + listener.getLocalPort()));

            try (Socket accepted = listener.accept()) {
                assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo("127.0.0.2");
                // It opens with its handshake, which says where it listens (nothing advertised: its bound address).
                DataInputStream in = new DataInputStream(accepted.getInputStream());
                byte[] hello = new byte[in.readInt()];
                in.readFully(hello);
                assertThat(Handshake.decode(ByteBuffer.wrap(hello)))
                        .isEqualTo(Handshake.current(TestNodes.CLUSTER, a.id, new byte[0], "", a.address()));
            }
        }
    }

    @Test
    void aSlowPeerCostsNoMoreThanItsQueue() throws Exception {
        // A peer that completes the handshake and then never reads: Netty's buffer fills to
        // its high water mark, the kernel's buffers fill, and then the queue.
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.2"))) {
            listener.setSoTimeout(20_000);
            TestNodes.Node a = nodes.start("a", "127.0.0.1", 0, TestNodes.CLUSTER,
                    x -> x.maxQueuedMessagesPerPeer(64));
            NodeId x = NodeId.of("x");
            a.transport.updatePeers(Map.of(x, "127.0.0.2:" + listener.getLocalPort()));
            try (Socket accepted = listener.accept()) {
                DataInputStream in = new DataInputStream(accepted.getInputStream());
                in.readFully(new byte[in.readInt()]);
                DataOutputStream out = new DataOutputStream(accepted.getOutputStream());
                byte[] reply = HandshakeReply.accept(x).encode();
                out.writeInt(reply.length);
                out.write(reply);
                out.flush();
                await().atMost(PATIENCE).until(() -> a.transport.isConnected(x));

                byte[] payload = new byte[8 << 10];
                long rejected = 0;
                for (int i = 1; i <= 10_000; i++) {
                    Message m = new Message.AppendRequest(a.id, x, 1, i - 1, 1,
                            List.of(io.clustermode.raft.Entry.command(i, 1, payload)), 0);
                    if (!a.transport.send(m)) {
                        rejected++;
                    }
                    assertThat(a.transport.queuedMessages(x)).isLessThanOrEqualTo(64);
                }
                // 80 MiB offered, far beyond what the buffers on the way hold.
                assertThat(rejected).isPositive();
                assertThat(a.transport.droppedMessages(x)).isEqualTo(rejected);
                assertThat(a.transport.isConnected(x)).isTrue();
            }
        }
    }

    /** A port on {@code ip} that nothing listens on (now). */
    static int freePort(String ip) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    static InetSocketAddress address(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }
}
