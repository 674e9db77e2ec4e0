package io.clustermode.netty;

import io.clustermode.codec.HandshakeReply;
import io.clustermode.codec.MessageCodec;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static io.clustermode.netty.TestNodes.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad bytes sent to a live transport close that one connection, with a WARN, while a real
 * peer keeps exchanging messages with it.
 */
class BadInputTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final int MAX_FRAME = NettyTransportConfig.MIN_FRAME_BYTES;

    private final TestNodes nodes = new TestNodes();
    private final AtomicLong sequence = new AtomicLong();
    private TestNodes.Node a;
    private TestNodes.Node b;
    private LogCapture log;

    @BeforeEach
    void startTwoNodes() throws Exception {
        log = new LogCapture();
        a = nodes.start("a", "127.0.0.1", 0, TestNodes.CLUSTER, c -> c.maxFrameBytes(MAX_FRAME));
        b = nodes.start("b", "127.0.0.2");
        TestNodes.connectAll(a, b);
        assertTheRealPeersStillTalk();
    }

    @AfterEach
    void closeAll() {
        nodes.close();
        log.close();
    }

    private void assertTheRealPeersStillTalk() {
        long n = sequence.incrementAndGet();
        b.transport.send(heartbeat(b.id, a.id, n));
        a.transport.send(heartbeat(a.id, b.id, n));
        await().atMost(PATIENCE).until(() ->
                a.received.stream().anyMatch(m -> ((Message.Heartbeat) m).sequence() == n)
                        && b.received.stream().anyMatch(m -> ((Message.Heartbeat) m).sequence() == n));
    }

    private RawPeer raw() throws Exception {
        return new RawPeer(a.transport.localAddress());
    }

    private RawPeer rawAfterHandshake() throws Exception {
        RawPeer raw = raw();
        HandshakeReply reply = raw.handshake(TestNodes.CLUSTER, "intruder");
        assertThat(reply.accepted()).isTrue();
        assertThat(reply.nodeId()).isEqualTo(a.id);
        return raw;
    }

    private void assertWarned(String... fragments) {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(log.lines("WARN")).anySatisfy(line -> {
            for (String fragment : fragments) {
                assertThat(line).contains(fragment);
            }
        }));
    }

    @Test
    void garbageInsteadOfAHandshake() throws Exception {
        try (RawPeer raw = raw()) {
            // Reads as a length of 0x47455420, far above the handshake limit.
            raw.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertWarned("a: closing connection from 127.0.0.1:", "oversized frame");
        assertTheRealPeersStillTalk();
    }

    @Test
    void aWellFramedHandshakeOfAnotherProtocol() throws Exception {
        try (RawPeer raw = raw()) {
            raw.sendFrame("hello there".getBytes(StandardCharsets.US_ASCII));
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertWarned("a: closing connection from 127.0.0.1:", "malformed handshake", "not a cluster-mode handshake");
        assertTheRealPeersStillTalk();
    }

    @Test
    void randomGarbageFramesAfterTheHandshake() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 5; i++) {
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            try (RawPeer raw = rawAfterHandshake()) {
                raw.sendFrame(garbage);
                assertThat(raw.closedByPeer()).isTrue();
            }
        }
        assertWarned("a: closing connection from intruder (127.0.0.1:", "malformed frame");
        assertThat(a.received).allMatch(m -> m.from().equals(b.id));
        assertTheRealPeersStillTalk();
    }

    @Test
    void aFrameHoldingATruncatedMessage() throws Exception {
        byte[] message = MessageCodec.encode(heartbeat(NodeId.of("intruder"), a.id, 1));
        try (RawPeer raw = rawAfterHandshake()) {
            raw.sendFrame(Arrays.copyOf(message, message.length - 3));
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertWarned("closing connection from intruder", "malformed frame: truncated input");
        assertTheRealPeersStillTalk();
    }

    @Test
    void aConnectionThatEndsInTheMiddleOfAFrame() throws Exception {
        byte[] message = MessageCodec.encode(heartbeat(NodeId.of("intruder"), a.id, 1));
        try (RawPeer raw = rawAfterHandshake()) {
            ByteBuffer partial = ByteBuffer.allocate(4 + 10).putInt(message.length).put(message, 0, 10);
            raw.sendRaw(partial.array());
            raw.socket.shutdownOutput();
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertWarned("intruder (127.0.0.1:", "closed the connection in the middle of a frame (14 bytes of it arrived)");
        assertThat(a.received).allMatch(m -> m.from().equals(b.id));
        assertTheRealPeersStillTalk();
    }

    @Test
    void anOversizedLengthAfterTheHandshake() throws Exception {
        try (RawPeer raw = rawAfterHandshake()) {
            raw.sendRaw(ByteBuffer.allocate(4).putInt(MAX_FRAME + 1).array());
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertWarned("closing connection from intruder", "oversized frame: frame of " + (MAX_FRAME + 1)
                + " bytes exceeds the limit of " + MAX_FRAME);
        assertTheRealPeersStillTalk();
    }

    @Test
    void anOversizedLengthBeforeTheHandshake() throws Exception {
        try (RawPeer raw = raw()) {
            // Far below the frame limit, but no one may send that much before saying who they are.
            raw.sendRaw(ByteBuffer.allocate(4).putInt(FrameDecoder.HANDSHAKE_LIMIT + 1).array());
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertWarned("a: closing connection from 127.0.0.1:", "handshake frame of " + (FrameDecoder.HANDSHAKE_LIMIT + 1));
        assertTheRealPeersStillTalk();
    }

    @Test
    void aMessageThatClaimsAnotherSender() throws Exception {
        try (RawPeer raw = rawAfterHandshake()) {
            raw.sendFrame(MessageCodec.encode(heartbeat(b.id, a.id, 99)));
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertWarned("closing connection from intruder", "a message from b on the connection of intruder");
        assertThat(a.received).noneMatch(m -> ((Message.Heartbeat) m).sequence() == 99);
        assertTheRealPeersStillTalk();
    }

    @Test
    void aMessageForAnotherNode() throws Exception {
        try (RawPeer raw = rawAfterHandshake()) {
            raw.sendFrame(MessageCodec.encode(heartbeat(NodeId.of("intruder"), b.id, 99)));
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertWarned("closing connection from intruder", "a message for b, not for this node");
        assertTheRealPeersStillTalk();
    }

    @Test
    void aWellBehavedStrangerIsDelivered() throws Exception {
        // The counterpart of the tests above: the same raw client, speaking properly.
        try (RawPeer raw = rawAfterHandshake()) {
            raw.sendFrame(MessageCodec.encode(heartbeat(NodeId.of("intruder"), a.id, 1234)));
            await().atMost(PATIENCE).until(() -> a.received.stream()
                    .anyMatch(m -> m.from().equals(NodeId.of("intruder"))));
        }
    }

    @Test
    void silenceInsteadOfAHandshakeTimesOut() throws Exception {
        TestNodes.Node quick = nodes.start("q", "127.0.0.3", 0, TestNodes.CLUSTER,
                c -> c.connectTimeout(Duration.ofMillis(300)));
        try (RawPeer raw = new RawPeer(quick.transport.localAddress())) {
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertWarned("q: closing connection from 127.0.0.", "no handshake within 300 ms");
    }
}
