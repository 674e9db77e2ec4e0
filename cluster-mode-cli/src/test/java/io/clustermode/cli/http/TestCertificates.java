package io.clustermode.cli.http;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Test PKI: a CA, and a server certificate for 127.0.0.1 it signs, written as PEM: the
 * certificate file holds the certificate and then the CA's (the chain), as an operator would
 * give it to {@code --http-tls-cert}.
 */
public final class TestCertificates {

    public final Path certificate;
    public final Path key;
    public final X509Certificate ca;

    private TestCertificates(Path certificate, Path key, X509Certificate ca) {
        this.certificate = certificate;
        this.key = key;
        this.ca = ca;
    }

    public static TestCertificates create(Path dir, String name) throws Exception {
        KeyPair caKeys = keys();
        X500Name caName = new X500Name("CN=" + name + " test CA");
        X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(System.nanoTime()),
                notBefore(), notAfter(), caName, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)), caKeys);
        KeyPair serverKeys = keys();
        X509Certificate server = sign(new JcaX509v3CertificateBuilder(ca, BigInteger.valueOf(System.nanoTime() + 1),
                notBefore(), notAfter(), new X500Name("CN=" + name), serverKeys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"))), caKeys);
        Path certificate = dir.resolve(name + "-chain.pem");
        Path key = dir.resolve(name + "-key.pem");
        try (Writer out = Files.newBufferedWriter(certificate); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(server);
            pem.writeObject(ca);
        }
        try (Writer out = Files.newBufferedWriter(key); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(serverKeys.getPrivate(), null));
        }
        return new TestCertificates(certificate, key, ca);
    }

    /** A JDK SSL context trusting this CA, for test clients. */
    public SSLContext clientContext() throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }
}
