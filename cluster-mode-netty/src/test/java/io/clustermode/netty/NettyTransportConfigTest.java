package io.clustermode.netty;

import io.clustermode.NodeId;
import io.clustermode.transport.HostPort;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NettyTransportConfigTest {

    private static NettyTransportConfig.Builder valid() {
        return NettyTransportConfig.builder(NodeId.of("a"), "c", new InetSocketAddress("127.0.0.1", 0));
    }

    @Test
    void defaults() {
        NettyTransportConfig config = valid().build();
        assertThat(config.maxFrameBytes()).isEqualTo(2 << 20);
        assertThat(config.maxQueuedMessagesPerPeer()).isEqualTo(4096);
        assertThat(config.maxQueuedBytesPerPeer()).isEqualTo(64L << 20);
        assertThat(config.tls()).isNull();
        assertThat(config.bindsOutgoing()).isTrue();
        assertThat(NettyTransportConfig.builder(NodeId.of("a"), "c", new InetSocketAddress(0)).build().bindsOutgoing())
                .isFalse();
        // The byte bound follows a larger frame limit, so that any message fits.
        assertThat(valid().maxFrameBytes(100 << 20).build().maxQueuedBytesPerPeer()).isEqualTo(100L << 20);
    }

    @Test
    void everyProblemNamesItsOption() {
        assertThatThrownBy(() -> NettyTransportConfig.builder(null, "c", new InetSocketAddress(0)).build())
                .hasMessageContaining("self");
        assertThatThrownBy(() -> NettyTransportConfig.builder(NodeId.of("a"), " ", new InetSocketAddress(0)).build())
                .hasMessageContaining("clusterName");
        assertThatThrownBy(() -> NettyTransportConfig.builder(NodeId.of("a"), "c", null).build())
                .hasMessageContaining("bind");
        assertThatThrownBy(() -> NettyTransportConfig.builder(NodeId.of("a"), "c",
                InetSocketAddress.createUnresolved("nowhere.invalid", 1)).build())
                .hasMessageContaining("bind");
        assertThatThrownBy(() -> valid().advertiseAddress("host-without-port").build())
                .hasMessageContaining("advertiseAddress");
        assertThatThrownBy(() -> valid().advertiseAddress("host:70000").build())
                .hasMessageContaining("advertiseAddress");
        assertThatThrownBy(() -> valid().connectTimeout(Duration.ZERO).build())
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> valid().maxFrameBytes(100).build()).hasMessageContaining("maxFrameBytes");
        assertThatThrownBy(() -> valid().maxQueuedMessagesPerPeer(0).build())
                .hasMessageContaining("maxQueuedMessagesPerPeer");
        assertThatThrownBy(() -> valid().maxQueuedBytesPerPeer(1000).build())
                .hasMessageContaining("maxQueuedBytesPerPeer");
        assertThatThrownBy(() -> valid().reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
                .hasMessageContaining("reconnectBackoffMax");
        assertThatThrownBy(() -> valid().reconnectBackoff(Duration.ofMillis(-1), Duration.ofSeconds(1)).build())
                .hasMessageContaining("reconnectBackoffMin");
        assertThatThrownBy(() -> new TlsConfig(Path.of("/nonexistent/cert.pem"), Path.of("/nonexistent/key.pem"), null))
                .hasMessageContaining("tls.certPem");
    }

    @Test
    void aBadPeerAddressIsRejectedNamingThePeer() {
        NettyTransport transport = new NettyTransport(valid().build());
        assertThatThrownBy(() -> transport.updatePeers(java.util.Map.of(NodeId.of("b"), "nonsense")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peer b");
        assertThatThrownBy(() -> transport.updatePeers(java.util.Map.of(NodeId.of("b"), "::1:9000")))
                .hasMessageContaining("peer b").hasMessageContaining("in brackets");
        transport.close();
    }
}
