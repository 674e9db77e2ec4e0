package io.clustermode.benchmarks;

import io.clustermode.netty.NettyTransport;
import io.clustermode.netty.NettyTransportConfig;
import io.clustermode.NodeId;
import io.clustermode.transport.HostPort;
import io.clustermode.transport.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Netty transports for nodes on 127.0.0.1, each on a free port, each knowing the others. */
final class TcpTransports {

    private TcpTransports() {
    }

    static Function<NodeId, Transport> forNodes(List<NodeId> ids) throws IOException {
        Map<NodeId, String> addresses = new HashMap<>();
        for (NodeId id : ids) {
            try (ServerSocket probe = new ServerSocket(0)) {
                addresses.put(id, "127.0.0.1:" + probe.getLocalPort());
            }
        }
        return id -> {
            String address = addresses.get(id);
            int port = HostPort.parse("address", address).port();
            NettyTransport transport = new NettyTransport(NettyTransportConfig.builder(id, "bench",
                    new InetSocketAddress("127.0.0.1", port)).advertiseAddress(address).build());
            Map<NodeId, String> others = new HashMap<>(addresses);
            others.remove(id);
            transport.updatePeers(others);
            return transport;
        };
    }
}
