package io.clustermode.netty;

import io.clustermode.codec.MessageCodec;
import io.clustermode.raft.Configuration;
import io.clustermode.raft.Entry;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.SnapshotMeta;
import io.clustermode.transport.HostPort;
import io.clustermode.transport.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/** Starts transports on loopback for a test and closes them all afterwards. */
final class TestNodes implements AutoCloseable {

    static final String CLUSTER = "test-cluster";

    private final List<Node> nodes = new ArrayList<>();

    /** A running transport and what it received. */
    static final class Node implements Transport.Listener {
        final NodeId id;
        final NettyTransport transport;
        final ConcurrentLinkedQueue<Message> received = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> unreachable = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<NodeId> askers = new ConcurrentLinkedQueue<>();
        volatile byte[] selfDescription = new byte[0];
        /** Every peer whose hello this node accepted, as the transport reports it. */
        final ConcurrentLinkedQueue<io.clustermode.transport.PeerHello> hellos = new ConcurrentLinkedQueue<>();

        Node(NettyTransportConfig config) {
            this.id = config.self();
            this.transport = new NettyTransport(config);
            this.transport.helloListener(hellos::add);
        }

        @Override
        public void onMessage(Message message) {
            received.add(message);
        }

        @Override
        public void onPeerUnreachable(NodeId peer, String reason) {
            unreachable.add(peer + ": " + reason);
        }

        @Override
        public byte[] describeSelf(NodeId asker) {
            askers.add(asker);
            return selfDescription;
        }

        /** "host:port" of the listening socket. */
        String address() {
            return HostPort.format(transport.localAddress());
        }

        int port() {
            return transport.localAddress().getPort();
        }

        /** The encodings of what arrived from {@code from}: equal encodings are equal messages. */
        Set<String> receivedFrom(NodeId from) {
            return received.stream().filter(m -> m.from().equals(from)).map(TestNodes::hex)
                    .collect(Collectors.toSet());
        }

        boolean unreachableMentions(NodeId peer, String text) {
            return unreachable.stream().anyMatch(line -> line.startsWith(peer + ": ") && line.contains(text));
        }
    }

    /** Settings for tests: quick reconnects, generous timeouts for a busy machine. */
    static NettyTransportConfig.Builder config(String id, String ip, int port, String cluster) {
        return NettyTransportConfig.builder(NodeId.of(id), cluster, new InetSocketAddress(ip, port))
                .connectTimeout(Duration.ofSeconds(5))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
    }

    Node start(String id, String ip) throws IOException {
        return start(id, ip, 0, CLUSTER, b -> b);
    }

    Node start(String id, String ip, int port, String cluster, UnaryOperator<NettyTransportConfig.Builder> tweak)
            throws IOException {
        Node node = new Node(tweak.apply(config(id, ip, port, cluster)).build());
        nodes.add(node);
        node.transport.start(node);
        return node;
    }

    /** Tells every node in {@code group} about all the others. */
    static void connectAll(Node... group) {
        for (Node node : group) {
            Map<NodeId, String> peers = new java.util.HashMap<>();
            for (Node other : group) {
                if (other != node) {
                    peers.put(other.id, other.address());
                }
            }
            node.transport.updatePeers(peers);
        }
    }

    @Override
    public void close() {
        nodes.forEach(n -> n.transport.close());
    }

    static String hex(Message message) {
        return HexFormat.of().formatHex(MessageCodec.encode(message));
    }

    /** One message of every type from {@code from} to {@code to}. */
    static List<Message> everyType(NodeId from, NodeId to) {
        Configuration conf = new Configuration(new TreeSet<>(List.of(from, to)), new TreeSet<>(List.of(NodeId.of("l"))));
        return List.of(
                new Message.VoteRequest(from, to, 3, 10, 2, true, false),
                new Message.VoteResponse(from, to, 3, true, true),
                new Message.AppendRequest(from, to, 3, 10, 2, List.of(
                        Entry.command(11, 3, new byte[]{1, 2, 3}),
                        Entry.noop(12, 3),
                        Entry.configuration(13, 3, conf)), 9),
                new Message.AppendResponse(from, to, 3, false, 10, 0, 7, 2),
                new Message.Heartbeat(from, to, 3, 9, 42),
                new Message.HeartbeatResponse(from, to, 3, 42, true),
                new Message.InstallSnapshot(from, to, 3, new SnapshotMeta(100, 2, conf), 4096, new byte[300], true),
                new Message.InstallSnapshotResponse(from, to, 3, 100, 4098, true),
                new Message.TimeoutNow(from, to, 3));
    }

    static Set<String> hexes(List<Message> messages) {
        return messages.stream().map(TestNodes::hex).collect(Collectors.toSet());
    }

    static Message heartbeat(NodeId from, NodeId to, long sequence) {
        return new Message.Heartbeat(from, to, 1, 0, sequence);
    }
}
