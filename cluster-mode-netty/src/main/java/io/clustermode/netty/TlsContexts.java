package io.clustermode.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.io.IOException;

/** The two TLS contexts of a transport, built from a {@link TlsConfig}. */
record TlsContexts(SslContext server, SslContext client) {

    /**
     * Reads the PEM files.
     *
     * @throws IOException when a file cannot be read or holds no usable certificate or key;
     *                     the message names the file
     */
    static TlsContexts of(TlsConfig tls) throws IOException {
        try {
            // The builders read the files at once; an unusable file fails here.
            SslContextBuilder server = SslContextBuilder.forServer(tls.certPem().toFile(), tls.keyPem().toFile());
            SslContextBuilder client = SslContextBuilder.forClient()
                    // Presented only when the server asks, that is with mutual TLS.
                    .keyManager(tls.certPem().toFile(), tls.keyPem().toFile());
            if (tls.mutual()) {
                server.trustManager(tls.caPem().toFile()).clientAuth(ClientAuth.REQUIRE);
                // The cluster CA is the trust anchor: whatever it signed is a member, at any address.
                client.trustManager(tls.caPem().toFile()).endpointIdentificationAlgorithm(null);
            } else {
                // No cluster CA: trust the JDK's store and check host names, as a browser would.
                client.endpointIdentificationAlgorithm("HTTPS");
            }
            return new TlsContexts(server.build(), client.build());
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot set up TLS from cert " + tls.certPem() + ", key " + tls.keyPem()
                    + (tls.mutual() ? ", CA " + tls.caPem() : "") + ": " + e.getMessage(), e);
        }
    }
}
