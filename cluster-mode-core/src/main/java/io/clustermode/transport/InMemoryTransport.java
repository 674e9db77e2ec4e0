package io.clustermode.transport;

import io.clustermode.raft.Message;
import io.clustermode.NodeId;

import java.util.Map;

/** A {@link Transport} on an {@link InMemoryNetwork}, for tests. Peer addresses are ignored. */
public final class InMemoryTransport implements Transport {

    private final InMemoryNetwork network;
    private final NodeId self;
    private volatile Listener listener;

    InMemoryTransport(InMemoryNetwork network, NodeId self) {
        this.network = network;
        this.self = self;
    }

    @Override
    public void start(Listener newListener) {
        this.listener = newListener;
        network.attach(self, this);
    }

    @Override
    public void updatePeers(Map<NodeId, String> peers) {
        // Everyone on the network is reachable by id.
    }

    @Override
    public boolean send(Message message) {
        return listener != null && network.deliver(message);
    }

    @Override
    public java.util.concurrent.CompletableFuture<PeerIdentity> identify(String hostPort) {
        return network.identify(self, hostPort);
    }

    byte[] describe(NodeId asker) {
        Listener current = listener;
        return current == null ? new byte[0] : current.describeSelf(asker);
    }

    boolean receive(Message message) {
        Listener current = listener;
        if (current == null) {
            return false;
        }
        current.onMessage(message);
        return true;
    }

    @Override
    public void close() {
        network.detach(self, this);
        listener = null;
    }
}
