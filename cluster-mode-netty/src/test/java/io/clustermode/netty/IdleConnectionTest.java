package io.clustermode.netty;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.clustermode.netty.TestNodes.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After its handshake, a connection that carries nothing for the idle timeout is closed; a
 * live peer's keep-alives keep a quiet connection open (a follower's connection to another
 * follower carries nothing between elections).
 */
class IdleConnectionTest {

    /** Long enough that a busy 2-core machine does not starve the keep-alives, short enough for a test. */
    private static final Duration IDLE = Duration.ofMillis(1500);
    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void close() {
        nodes.close();
    }

    @Test
    void when_a_peer_is_quiet_but_alive_then_its_keep_alives_hold_the_connection() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1", 0, TestNodes.CLUSTER, b -> b.idleTimeout(IDLE));
        TestNodes.Node b = nodes.start("b", "127.0.0.2", 0, TestNodes.CLUSTER, c -> c.idleTimeout(IDLE));
        TestNodes.connectAll(a, b);
        a.transport.send(heartbeat(a.id, b.id, 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> b.received.size() == 1 && a.transport.isConnected(b.id));
        Thread.sleep(IDLE.multipliedBy(3).toMillis());
        assertThat(a.transport.isConnected(b.id)).isTrue();
        assertThat(a.unreachable).as("the connection never broke").isEmpty();
        a.transport.send(heartbeat(a.id, b.id, 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.received.size() == 2);
    }

    @Test
    void when_a_connection_goes_silent_after_its_handshake_then_it_is_closed() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1", 0, TestNodes.CLUSTER, b -> b.idleTimeout(IDLE));
        try (RawPeer silent = new RawPeer(a.transport.localAddress())) {
            assertThat(silent.handshake(TestNodes.CLUSTER, "b").accepted()).isTrue();
            long start = System.nanoTime();
            assertThat(silent.closedByPeer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(IDLE.minusMillis(50));
        }
    }

    @Test
    void when_inbound_reading_is_paused_then_nothing_more_is_delivered_until_it_resumes() throws Exception {
        TestNodes.Node a = nodes.start("a", "127.0.0.1");
        TestNodes.Node b = nodes.start("b", "127.0.0.2");
        TestNodes.connectAll(a, b);
        a.transport.send(heartbeat(a.id, b.id, 0));
        await().atMost(Duration.ofSeconds(20)).until(() -> b.received.size() == 1);
        b.transport.pauseInbound();
        Thread.sleep(100); // Netty clears the read interest on the connection's event loop
        for (int i = 1; i <= 50; i++) {
            a.transport.send(heartbeat(a.id, b.id, i));
        }
        Thread.sleep(500);
        assertThat(b.received).as("read while paused").hasSize(1);
        assertThat(b.transport.inboundPaused()).isTrue();
        b.transport.resumeInbound();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.received.size() == 51);
    }
}
