package io.clustermode.netty;

import io.clustermode.transport.HostPort;
import io.clustermode.transport.Transport;
import io.clustermode.transport.TransportFactory;
import io.clustermode.transport.TransportSettings;

/** Builds {@link NettyTransport}s; registered for {@link java.util.ServiceLoader}. */
public final class NettyTransportFactory implements TransportFactory {

    @Override
    public Transport create(TransportSettings settings) {
        HostPort named = HostPort.parse("bind", settings.bind());
        // The listening address is resolved now: a bind address that does not resolve is a
        // configuration error to report at start, not a peer to retry.
        java.net.InetSocketAddress bind = new java.net.InetSocketAddress(named.host(), named.port());
        if (bind.isUnresolved()) {
            throw new IllegalArgumentException("bind: cannot resolve host '" + named.host() + "'");
        }
        NettyTransportConfig.Builder builder = NettyTransportConfig.builder(settings.self(), settings.clusterName(),
                        bind)
                .advertiseAddress(settings.advertise())
                .connectTimeout(settings.connectTimeout());
        if (settings.tlsCert() != null) {
            builder.tls(settings.tlsCa() == null ? new TlsConfig(settings.tlsCert(), settings.tlsKey(), null)
                    : TlsConfig.mutual(settings.tlsCert(), settings.tlsKey(), settings.tlsCa()));
        }
        if (settings.clusterSecretFile() != null) {
            try {
                builder.secret(ClusterSecret.read(settings.clusterSecretFile()));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("clusterSecretFile: " + e.getMessage(), e);
            }
        }
        return new NettyTransport(builder.build());
    }
}
