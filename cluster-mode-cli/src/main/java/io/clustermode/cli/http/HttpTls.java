package io.clustermode.cli.http;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The TLS contexts of the HTTP API, from PEM files ({@code --http-tls-cert}, {@code --http-tls-key}).
 *
 * <p>The client side (forwarding to the primary) trusts the certificates in the node's own
 * certificate file — the certificate and the chain after it — and no others: give every node
 * the same certificate, or certificates of one CA with that CA's certificate in each file.
 * Host names are not checked: nodes reach each other by the addresses they announce, which
 * certificates seldom name; the trust anchors are the cluster's own.
 */
public final class HttpTls {

    private final SslContext server;
    private final SslContext client;

    private HttpTls(SslContext server, SslContext client) {
        this.server = server;
        this.client = client;
    }

    /**
     * Reads the files.
     *
     * @throws IOException when a file cannot be read or holds no usable certificate or key; the message names it
     */
    public static HttpTls fromPem(Path certificate, Path key) throws IOException {
        List<X509Certificate> chain = certificates(certificate);
        try {
            SslContext server = SslContextBuilder.forServer(certificate.toFile(), key.toFile()).build();
            SslContext client = SslContextBuilder.forClient()
                    .trustManager(chain.toArray(new X509Certificate[0]))
                    .endpointIdentificationAlgorithm(null)
                    .build();
            return new HttpTls(server, client);
        } catch (IOException | RuntimeException e) {
            throw new IOException(certificate + " / " + key + ": not a usable PEM certificate and private key ("
                    + e.getMessage() + ")", e);
        }
    }

    private static List<X509Certificate> certificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) cert);
            }
            if (out.isEmpty()) {
                throw new IOException(file + ": no certificate in it");
            }
            return out;
        } catch (CertificateException e) {
            throw new IOException(file + ": not a PEM certificate (" + e.getMessage() + ")", e);
        }
    }

    /** The server's context. */
    public SslContext server() {
        return server;
    }

    /** The forwarding client's context. */
    public SslContext client() {
        return client;
    }
}
