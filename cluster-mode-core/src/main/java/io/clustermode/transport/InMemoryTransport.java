package io.clustermode.transport;

import io.clustermode.raft.Message;
import io.clustermode.NodeId;

import java.util.Map;

/** A {@link Transport} on an {@link InMemoryNetwork}, for tests. Peer addresses are ignored. */
public final class InMemoryTransport implements Transport {

    private final InMemoryNetwork network;
    private final NodeId self;
    private volatile Listener listener;
    private volatile java.util.function.Consumer<PeerHello> helloListener;

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
    public void helloListener(java.util.function.Consumer<PeerHello> newListener) {
        this.helloListener = newListener;
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

    /** Answers {@code hello}'s identification: tells the hello listener first, as the TCP transport does. */
    byte[] describe(PeerHello hello) {
        Listener current = listener;
        if (current == null) {
            return new byte[0];
        }
        java.util.function.Consumer<PeerHello> hellos = helloListener;
        if (hellos != null) {
            hellos.accept(hello);
        }
        return current.describeSelf(hello.nodeId());
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
