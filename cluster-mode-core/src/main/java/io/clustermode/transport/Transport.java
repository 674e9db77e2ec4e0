package io.clustermode.transport;

import io.clustermode.raft.Message;
import io.clustermode.NodeId;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Carries {@link Message}s between nodes. Raft tolerates loss, duplication and reordering,
 * so a transport may drop messages (a full queue, a broken connection), but it must never
 * alter one or deliver it to the wrong node.
 *
 * <h2>Threading</h2>
 * {@link #send} may be called from any thread and never blocks. The {@link Listener} is
 * called on the transport's own threads and must not block.
 */
public interface Transport extends AutoCloseable {

    /** Receives what arrives. */
    interface Listener {

        /** A message for this node arrived. */
        void onMessage(Message message);

        /**
         * The connection to {@code peer} broke or was refused. A hint only: the peer may be
         * alive behind another path.
         */
        default void onPeerUnreachable(NodeId peer, String reason) {
        }

        /**
         * What this node tells a node that asks who it is ({@link #identify}); {@code asker} is the
         * asking node's id. Called on a transport thread; must not block. Empty by default.
         */
        default byte[] describeSelf(NodeId asker) {
            return new byte[0];
        }
    }

    /**
     * Tells {@code listener} of every peer that completes a handshake on a connection it opened to
     * this node — a message connection or an {@link #identify} — once the peer proved who it is
     * where this transport authenticates peers (a cluster secret, mutual TLS); a peer that fails
     * that is never reported. Set it before {@link #start}; it replaces any earlier one. Called on
     * the transport's threads: it must not block, and what it throws is logged and ignored. A
     * transport without handshakes ignores it (nobody can then ask to join through it).
     */
    default void helloListener(java.util.function.Consumer<PeerHello> listener) {
    }

    /** Starts listening and connecting; inbound messages go to {@code listener}. */
    void start(Listener listener) throws IOException;

    /**
     * The peers this node may talk to, by id, with the address ("host:port") where each
     * listens; replaces the previous map. Messages to a node not in the map are dropped.
     */
    void updatePeers(Map<NodeId, String> peers);

    /**
     * Drops the connection to {@code peer}, if any, and connects anew. The node asks for it when
     * a peer it keeps sending to has stopped answering, which a connection that looks healthy can
     * hide (a half-open TCP connection after the peer's process was replaced). Never blocks.
     */
    default void reconnect(NodeId peer) {
    }

    /**
     * Stops reading inbound connections until {@link #resumeInbound}: the node's inbox is full,
     * and reading on would only grow it. Messages already read may still be delivered. Called
     * from any thread, never blocks; calling it twice is the same as once. A transport that
     * cannot pause ignores it (the node then drops what does not fit).
     */
    default void pauseInbound() {
    }

    /** Reads inbound connections again after {@link #pauseInbound}. Any thread; never blocks. */
    default void resumeInbound() {
    }

    /**
     * This node's cluster id, chosen when its cluster was bootstrapped: sent in every handshake
     * from now on, and a peer that sends another is refused — two clusters of the same name stay
     * apart. Until it is set the node sends none and refuses none. Any thread; never blocks. A
     * transport without handshakes ignores it.
     */
    default void clusterId(String clusterId) {
    }

    /**
     * The cluster id {@code peer} sent when it last connected to this node, once it proved who it
     * is; empty when it sent none or has not connected. A node that has just joined learns its
     * cluster's id from its primary this way.
     */
    default java.util.Optional<String> peerClusterId(NodeId peer) {
        return java.util.Optional.empty();
    }

    /** Queues {@code message} for its receiver; never blocks. Returns false when it was dropped. */
    boolean send(Message message);

    /**
     * Asks the node listening at {@code hostPort} who it is: connects, shakes hands (which also
     * tells it who asks), and completes with its id and self-description. Fails when nothing
     * answers within the connect timeout, or the node refuses (another cluster, another CA).
     */
    CompletableFuture<PeerIdentity> identify(String hostPort);

    /** Stops listening and closes every connection. */
    @Override
    void close();
}
