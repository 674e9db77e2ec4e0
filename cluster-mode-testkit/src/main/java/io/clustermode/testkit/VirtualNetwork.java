package io.clustermode.testkit;

import io.clustermode.NodeId;
import io.clustermode.raft.Message;
import io.clustermode.transport.PeerHello;
import io.clustermode.transport.PeerIdentity;
import io.clustermode.transport.Transport;
import io.clustermode.transport.TransportFactory;
import io.clustermode.transport.TransportSettings;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The network of a {@link ClusterSimulation}: each message arrives 1 to 8 ms of virtual time
 * after it was sent (drawn from the seed, so messages overtake each other), unless the link is
 * cut or the message is lost ({@link #dropRate}). A message in flight to a process that dies is
 * lost with it; one sent before a cut arrives. Asking who listens at an address
 * ({@link Transport#identify}) is answered at once, or fails at once when the link is cut either
 * way, the node is down or paused.
 */
final class VirtualNetwork {

    private record Link(NodeId from, NodeId to) {
    }

    private final VirtualTime time;
    private final Map<NodeId, Endpoint> endpoints = new TreeMap<>();
    private final Map<String, NodeId> addresses = new TreeMap<>();
    private final Set<Link> cut = new HashSet<>();
    private final Consumer<String> trace;
    private double dropRate;

    VirtualNetwork(VirtualTime time, Consumer<String> trace) {
        this.time = time;
        this.trace = trace;
    }

    void address(NodeId node, String address) {
        addresses.put(address, node);
    }

    void dropRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("a drop rate is between 0 and 1, was " + rate);
        }
        dropRate = rate;
    }

    void cut(NodeId from, NodeId to) {
        cut.add(new Link(from, to));
    }

    void heal() {
        cut.clear();
    }

    boolean canReach(NodeId from, NodeId to) {
        return !cut.contains(new Link(from, to));
    }

    /** A factory whose transports send through this network on behalf of {@code runtime}'s process. */
    TransportFactory factory(VirtualRuntime runtime) {
        return new TransportFactory() {
            @Override
            public Transport create(TransportSettings settings) {
                return new Endpoint(settings.self(), runtime);
            }
        };
    }

    /** One process's transport. */
    private final class Endpoint implements Transport {
        private final NodeId self;
        private final VirtualRuntime runtime;
        private Listener listener;
        private Consumer<PeerHello> hellos;
        private String clusterId = "";
        private final Map<NodeId, String> peerClusterIds = new TreeMap<>();

        Endpoint(NodeId self, VirtualRuntime runtime) {
            this.self = self;
            this.runtime = runtime;
        }

        @Override
        public void helloListener(Consumer<PeerHello> listener) {
            this.hellos = listener;
        }

        @Override
        public void start(Listener newListener) throws IOException {
            this.listener = newListener;
            endpoints.put(self, this);
        }

        @Override
        public void updatePeers(Map<NodeId, String> peers) {
            // every node on the network is reachable by id
        }

        @Override
        public void clusterId(String id) {
            clusterId = id;
        }

        @Override
        public Optional<String> peerClusterId(NodeId peer) {
            return Optional.ofNullable(peerClusterIds.get(peer));
        }

        @Override
        public boolean send(Message message) {
            if (!runtime.alive()) {
                return false;
            }
            Endpoint target = endpoints.get(message.to());
            if (target == null || !canReach(self, message.to()) || (dropRate > 0 && time.random().nextDouble() < dropRate)) {
                return true; // lost on the way: the sender cannot tell
            }
            long delay = (1 + time.random().nextInt(8)) * 1_000_000L;
            String fromCluster = clusterId;
            target.runtime.post(delay, () -> target.deliver(message, fromCluster));
            return true;
        }

        private void deliver(Message message, String fromCluster) {
            if (endpoints.get(self) != this || listener == null) {
                return; // this process is gone
            }
            if (!fromCluster.isEmpty()) {
                peerClusterIds.put(message.from(), fromCluster);
            }
            trace.accept(self + " <- " + message.from() + " " + message.getClass().getSimpleName());
            listener.onMessage(message);
        }

        @Override
        public CompletableFuture<PeerIdentity> identify(String hostPort) {
            NodeId id = addresses.get(hostPort);
            Endpoint target = id == null ? null : endpoints.get(id);
            if (target == null || !target.runtime.alive() || target.runtime.pausedUntil() > time.now()
                    || !canReach(self, id) || !canReach(id, self)) {
                return CompletableFuture.failedFuture(new IOException("nothing answers at " + hostPort));
            }
            String mine = null;
            for (Map.Entry<String, NodeId> entry : addresses.entrySet()) {
                if (entry.getValue().equals(self)) {
                    mine = entry.getKey();
                }
            }
            PeerHello hello = new PeerHello(self, clusterId, mine == null ? "" : mine);
            if (target.hellos != null) {
                target.hellos.accept(hello);
            }
            if (!clusterId.isEmpty()) {
                target.peerClusterIds.put(self, clusterId);
            }
            return CompletableFuture.completedFuture(new PeerIdentity(id, target.listener.describeSelf(self)));
        }

        @Override
        public void close() {
            endpoints.remove(self, this);
            listener = null;
        }
    }

    /** The process of {@code node} died: its transport is gone with it. */
    void detach(NodeId node) {
        Endpoint endpoint = endpoints.remove(node);
        if (endpoint != null) {
            endpoint.listener = null;
        }
    }
}
