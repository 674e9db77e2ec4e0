package io.clustermode.cli;

import io.clustermode.codec.MessageCodec;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.transport.PeerIdentity;
import io.clustermode.transport.Transport;
import io.clustermode.transport.TransportFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The node's transport, with every message counted by type and direction for the metrics, and
 * the vote requests of this node's own elections noticed (exactly, where sampling the status
 * could miss a short candidacy). Every other method of the SPI, default ones included, goes to
 * the transport inside unchanged ({@code CountingTransportTest} checks that none is left out: a
 * default method not forwarded silently does nothing).
 */
final class CountingTransport implements Transport {

    private final Transport inner;
    private final NodeMetrics metrics;

    private CountingTransport(Transport inner, NodeMetrics metrics) {
        this.inner = inner;
        this.metrics = metrics;
    }

    /** A factory that wraps the transport on the class path. */
    static TransportFactory around(TransportFactory factory, NodeMetrics metrics) {
        return settings -> new CountingTransport(factory.create(settings), metrics);
    }

    @Override
    public void start(Listener listener) throws IOException {
        inner.start(new Listener() {
            @Override
            public void onMessage(Message message) {
                metrics.message("received", type(message), MessageCodec.sizeOf(message));
                listener.onMessage(message);
            }

            @Override
            public void onPeerUnreachable(NodeId peer, String reason) {
                listener.onPeerUnreachable(peer, reason);
            }

            @Override
            public byte[] describeSelf(NodeId asker) {
                return listener.describeSelf(asker);
            }
        });
    }

    @Override
    public void updatePeers(Map<NodeId, String> peers) {
        inner.updatePeers(peers);
    }

    @Override
    public boolean send(Message message) {
        if (message instanceof Message.VoteRequest && !((Message.VoteRequest) message).preVote()) {
            metrics.electionStarted(((Message.VoteRequest) message).term());
        }
        boolean queued = inner.send(message);
        metrics.message(queued ? "sent" : "dropped", type(message), MessageCodec.sizeOf(message));
        return queued;
    }

    @Override
    public void reconnect(NodeId peer) {
        inner.reconnect(peer);
    }

    @Override
    public void pauseInbound() {
        inner.pauseInbound();
    }

    @Override
    public void resumeInbound() {
        inner.resumeInbound();
    }

    @Override
    public void clusterId(String clusterId) {
        inner.clusterId(clusterId);
    }

    @Override
    public java.util.Optional<String> peerClusterId(NodeId peer) {
        return inner.peerClusterId(peer);
    }

    @Override
    public void helloListener(java.util.function.Consumer<io.clustermode.transport.PeerHello> listener) {
        inner.helloListener(listener);
    }

    @Override
    public CompletableFuture<PeerIdentity> identify(String hostPort) {
        return inner.identify(hostPort);
    }

    @Override
    public void close() {
        inner.close();
    }

    /** The message type as a metric label: {@code vote_request}, {@code append_request}, ... */
    static String type(Message message) {
        String name = message.getClass().getSimpleName();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                out.append('_');
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }
}
