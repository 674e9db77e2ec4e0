package io.clustermode.transport;

import io.clustermode.raft.Message;
import io.clustermode.NodeId;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A network inside one process, for tests: every {@link InMemoryTransport} made by it can
 * reach the others, unless a test blocks the link. Delivery hands the message straight to the
 * receiver's listener on the sender's thread (listeners must not block, as the SPI says).
 */
public final class InMemoryNetwork {

    private record Link(NodeId from, NodeId to) {
    }

    private final Map<NodeId, InMemoryTransport> transports = new ConcurrentHashMap<>();
    private final Map<String, NodeId> addresses = new ConcurrentHashMap<>();
    private final Map<NodeId, String> addressOf = new ConcurrentHashMap<>();
    private final Set<Link> blocked = ConcurrentHashMap.newKeySet();

    /** A transport for node {@code id} on this network, reachable at the address {@code id.value()}. */
    public InMemoryTransport transport(NodeId id) {
        return transport(id, id.value());
    }

    /**
     * A transport for node {@code id} on this network, which {@link Transport#identify} finds at
     * {@code address}. When it identifies another node, its hello advertises {@code address} (if
     * that is a {@code host:port}; an id alone is advertised as nothing).
     */
    public InMemoryTransport transport(NodeId id, String address) {
        addresses.put(address, id);
        addressOf.putIfAbsent(id, address); // unless a test said otherwise first (see advertise)
        return new InMemoryTransport(this, id);
    }

    /**
     * From now on {@code node}'s hellos advertise {@code address} instead of its own: for tests of
     * a node that lies about where it listens (or gives an address where nobody listens). Call it
     * before the node's transport is made, so that its very first hello lies too.
     */
    public void advertise(NodeId node, String address) {
        addressOf.put(node, address);
    }

    /** Whether {@code from} can currently reach {@code to}. */
    public boolean reachable(NodeId from, NodeId to) {
        return transports.containsKey(to) && !blocked.contains(new Link(from, to));
    }

    /** Blocks messages from {@code from} to {@code to} only. */
    public void blockOneWay(NodeId from, NodeId to) {
        blocked.add(new Link(from, to));
    }

    /** Cuts {@code node} off from every other node, both ways. */
    public void isolate(NodeId node) {
        for (NodeId other : transports.keySet()) {
            if (!other.equals(node)) {
                blocked.add(new Link(node, other));
                blocked.add(new Link(other, node));
            }
        }
    }

    /** Restores every link. */
    public void heal() {
        blocked.clear();
    }

    void attach(NodeId id, InMemoryTransport transport) {
        transports.put(id, transport);
    }

    void detach(NodeId id, InMemoryTransport transport) {
        transports.remove(id, transport);
    }

    java.util.concurrent.CompletableFuture<PeerIdentity> identify(NodeId asker, String address) {
        NodeId target = addresses.get(address);
        InMemoryTransport transport = target == null ? null : transports.get(target);
        if (transport == null || !reachable(asker, target) || !reachable(target, asker)) {
            return java.util.concurrent.CompletableFuture.failedFuture(
                    new java.io.IOException("nothing answers at " + address));
        }
        return java.util.concurrent.CompletableFuture.completedFuture(
                new PeerIdentity(target, transport.describe(new PeerHello(asker, "", advertised(asker)))));
    }

    private String advertised(NodeId node) {
        String address = addressOf.getOrDefault(node, "");
        try {
            HostPort.parse("address", address);
            return address;
        } catch (IllegalArgumentException notAnAddress) {
            return "";
        }
    }

    boolean deliver(Message message) {
        InMemoryTransport target = transports.get(message.to());
        if (target == null || blocked.contains(new Link(message.from(), message.to()))) {
            return false;
        }
        return target.receive(message);
    }
}
