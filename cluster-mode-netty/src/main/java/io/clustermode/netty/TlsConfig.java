package io.clustermode.netty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for a {@link NettyTransport}, from PEM files. The files are read when the transport
 * starts.
 *
 * <p>With a CA ({@code caPem} not null) the transport speaks <em>mutual</em> TLS: the accepting
 * side requires a client certificate, and both sides accept only a peer whose certificate
 * chains to that CA. The CA is then the cluster's trust anchor: any certificate it signed is a
 * member, whatever address it is reached at, so host names are not checked (nodes are usually
 * addressed by IP, and discovered addresses change).
 *
 * <p>Without a CA, the accepting side does not ask for client certificates and the connecting
 * side checks the server against the JDK's default trust store <em>and</em> checks the host
 * name, as a browser would.
 *
 * @param certPem the node's certificate chain, PEM, the node's own certificate first
 * @param keyPem  the node's private key, unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY")
 * @param caPem   the certificates of the CA that signs every node, PEM; null for server-only TLS
 */
public record TlsConfig(Path certPem, Path keyPem, Path caPem) {

    /**
     * @throws IllegalArgumentException when a file is missing or unreadable; the message names
     *                                  the option ({@code tls.certPem}, {@code tls.keyPem}, {@code tls.caPem})
     */
    public TlsConfig {
        requireReadable("tls.certPem", certPem);
        requireReadable("tls.keyPem", keyPem);
        if (caPem != null) {
            requireReadable("tls.caPem", caPem);
        }
    }

    /** Mutual TLS: this node's certificate and key, and the CA that signs every node. */
    public static TlsConfig mutual(Path certPem, Path keyPem, Path caPem) {
        return new TlsConfig(certPem, keyPem, Objects.requireNonNull(caPem, "tls.caPem"));
    }

    /** Whether peers must present a certificate signed by {@link #caPem}. */
    public boolean mutual() {
        return caPem != null;
    }

    private static void requireReadable(String option, Path file) {
        if (file == null) {
            throw new IllegalArgumentException(option + " is required");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " is not a readable file: " + file);
        }
    }
}
