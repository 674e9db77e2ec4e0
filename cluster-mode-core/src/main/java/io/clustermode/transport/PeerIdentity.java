package io.clustermode.transport;

import io.clustermode.NodeId;

import java.util.Arrays;
import java.util.Objects;

/**
 * Who listens at an address, as its handshake says: its node id, and a status the layer above
 * the transport describes itself with (see {@link Transport.Listener#describeSelf}).
 *
 * @param nodeId the node's id
 * @param status what the node said of itself; empty when it said nothing. Never modified.
 */
public record PeerIdentity(NodeId nodeId, byte[] status) {

    /** Both values are required. */
    public PeerIdentity {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(status, "status");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PeerIdentity p && nodeId.equals(p.nodeId) && Arrays.equals(status, p.status);
    }

    @Override
    public int hashCode() {
        return 31 * nodeId.hashCode() + Arrays.hashCode(status);
    }

    @Override
    public String toString() {
        return "PeerIdentity[" + nodeId + ", " + status.length + " status bytes]";
    }
}
