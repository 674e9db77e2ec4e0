/**
 * The TCP transport of cluster-mode, on Netty, with TLS and the cluster-secret handshake: found
 * by the core through {@link io.clustermode.transport.TransportFactory}.
 */
module io.clustermode.netty {
    requires io.clustermode.core;
    requires java.naming; // reading certificate names (LDAP distinguished names)
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.resolver;
    requires io.netty.transport;
    requires org.slf4j;

    exports io.clustermode.netty;

    provides io.clustermode.transport.TransportFactory with io.clustermode.netty.NettyTransportFactory;
}
