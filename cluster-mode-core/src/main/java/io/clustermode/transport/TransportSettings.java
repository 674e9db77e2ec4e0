package io.clustermode.transport;

import io.clustermode.NodeId;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a {@link TransportFactory} needs to build a node's transport.
 *
 * @param self           this node's id
 * @param clusterName    peers of another cluster name are refused
 * @param bind           {@code host:port} to listen on; a concrete host is also the source of outgoing connections
 * @param advertise      {@code host:port} peers use to reach this node
 * @param connectTimeout connect and handshake timeout
 * @param tlsCert        PEM certificate, or null for plain TCP
 * @param tlsKey         PEM private key, or null
 * @param tlsCa          PEM CA certificate; with it TLS is mutual. May be null.
 * @param clusterSecretFile a file holding the cluster's shared secret, which peers must prove in
 *                       the handshake; null for none
 */
public record TransportSettings(NodeId self, String clusterName, String bind, String advertise,
                                Duration connectTimeout, Path tlsCert, Path tlsKey, Path tlsCa,
                                Path clusterSecretFile) {
}
