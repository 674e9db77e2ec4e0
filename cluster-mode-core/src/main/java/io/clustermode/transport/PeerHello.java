package io.clustermode.transport;

import io.clustermode.NodeId;

import java.util.Objects;
import java.util.Optional;

/**
 * A peer that completed a handshake with this node, as its hello said: who it is, which cluster
 * it belongs to, and where it listens. A transport that authenticates peers (a cluster secret,
 * mutual TLS) reports a peer only once it proved the id it claims.
 *
 * @param nodeId            the peer's id, as proven
 * @param clusterId         the id of the peer's cluster; empty when it knows none (it has not
 *                          joined a cluster yet)
 * @param advertisedAddress where the peer's transport listens ({@code host:port}, checked with
 *                          {@link HostPort#parse}); empty when its hello did not say (an older
 *                          version) or said something that is not an address
 */
public record PeerHello(NodeId nodeId, String clusterId, String advertisedAddress) {

    /**
     * @throws IllegalArgumentException when {@code advertisedAddress} is neither empty nor a
     *                                  {@code host:port} a node can connect to
     */
    public PeerHello {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(advertisedAddress, "advertisedAddress");
        if (!advertisedAddress.isEmpty()) {
            HostPort.parse("the advertised address of " + nodeId, advertisedAddress);
        }
    }

    /** The advertised address, when the peer gave a usable one. */
    public Optional<String> address() {
        return advertisedAddress.isEmpty() ? Optional.empty() : Optional.of(advertisedAddress);
    }
}
