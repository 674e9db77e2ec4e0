package io.clustermode.netty;

import io.clustermode.NodeId;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * With mutual TLS, which node ids a peer's certificate lets it claim: its subject's common
 * name (CN) and its DNS and URI subject alternative names. A certificate the cluster's CA
 * signed for one node must not let its holder speak as another, the primary least of all.
 */
final class CertificateIdentity {

    private CertificateIdentity() {
    }

    /**
     * Why the peer on this pipeline may not claim {@code claimed}; null when its certificate
     * names it, or when the connection has no mutual TLS (nothing to check).
     */
    static String refusal(ChannelPipeline pipeline, NodeId claimed, boolean mutualTls) {
        if (!mutualTls) {
            return null;
        }
        SslHandler ssl = pipeline.get(SslHandler.class);
        if (ssl == null) {
            return "no TLS session";
        }
        Certificate[] chain;
        try {
            chain = ssl.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return "no verified peer certificate";
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
            return "no X.509 peer certificate";
        }
        List<String> names = names(cert);
        if (names.contains(claimed.value())) {
            return null;
        }
        return "its certificate names " + names + ", not the node id " + claimed + " it claims";
    }

    /** The CN and the DNS and URI alternative names of {@code cert}. */
    static List<String> names(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    names.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // No usable subject: only the alternative names count.
        }
        try {
            Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    int type = (Integer) alternative.get(0);
                    if (type == 2 || type == 6) { // dNSName, uniformResourceIdentifier
                        names.add(String.valueOf(alternative.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // Unparsable extension: only the CN counts.
        }
        return names;
    }
}
