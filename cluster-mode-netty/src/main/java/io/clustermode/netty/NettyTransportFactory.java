package io.clustermode.netty;

import io.clustermode.transport.Transport;
import io.clustermode.transport.TransportFactory;
import io.clustermode.transport.TransportSettings;

/** Builds {@link NettyTransport}s; registered for {@link java.util.ServiceLoader}. */
public final class NettyTransportFactory implements TransportFactory {

    @Override
    public Transport create(TransportSettings settings) {
        NettyTransportConfig.Builder builder = NettyTransportConfig.builder(settings.self(), settings.clusterName(),
                        HostPort.parse(settings.bind()))
                .advertiseAddress(settings.advertise())
                .connectTimeout(settings.connectTimeout());
        if (settings.tlsCert() != null) {
            builder.tls(settings.tlsCa() == null ? new TlsConfig(settings.tlsCert(), settings.tlsKey(), null)
                    : TlsConfig.mutual(settings.tlsCert(), settings.tlsKey(), settings.tlsCa()));
        }
        return new NettyTransport(builder.build());
    }
}
