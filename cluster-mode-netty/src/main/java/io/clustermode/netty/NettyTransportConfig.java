package io.clustermode.netty;

import io.clustermode.codec.Handshake;
import io.clustermode.NodeId;
import io.clustermode.transport.HostPort;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link NettyTransport}. Build one with {@link #builder}; the canonical
 * constructor validates every value and names the option in its message.
 *
 * @param self                     this node's id, sent in every handshake
 * @param clusterName              the cluster's name; connections from another cluster are refused
 * @param bind                     where to listen; port 0 picks a free port. When the address is a
 *                                 concrete one (not 0.0.0.0 or ::), outgoing connections leave from
 *                                 it too, so peers see the right source address when several nodes
 *                                 share a host (127.0.0.1, 127.0.0.2, ...)
 * @param advertiseAddress         "host:port" where peers reach this node; null to derive it from
 *                                 the bound address (see {@link NettyTransport#advertiseAddress()})
 * @param connectTimeout           the longest a connection may take to be established, TLS and
 *                                 handshake included, on either side
 * @param maxFrameBytes            the largest frame accepted or sent, in bytes, length prefix
 *                                 excluded; a larger inbound frame closes its connection, a larger
 *                                 outbound message is dropped. Default 2 MiB: an append of
 *                                 {@code maxBytesPerAppend} (1 MiB) or a snapshot chunk (1 MiB)
 *                                 fits, with room for one entry of the largest key-value write
 * @param maxQueuedMessagesPerPeer messages waiting for one peer, at most; more are dropped.
 *                                 Default 4096
 * @param maxQueuedBytesPerPeer    bytes of encoded messages waiting for one peer, at most; more
 *                                 are dropped. At least {@code maxFrameBytes}. Default 64 MiB
 * @param reconnectBackoffMin      the first delay before reconnecting to a peer
 * @param reconnectBackoffMax      the longest delay between reconnects; also the delay after a
 *                                 peer refused the handshake, which will not change soon
 * @param tls                      TLS settings; null for plain TCP
 * @param secret                   the cluster secret peers must prove in the handshake, both
 *                                 ways, before any message is read; null for none
 * @param maxInboundConnections    connections accepted at once, at most, handshakes included;
 *                                 more are closed as they arrive, so that nobody can exhaust the
 *                                 node's file descriptors or memory. Default 256
 * @param idleTimeout              an inbound connection that delivers no frame for this long after
 *                                 its handshake is closed (a peer that vanished without a word);
 *                                 outbound connections send an empty keep-alive frame after a
 *                                 third of it without traffic. Default 60 s
 */
public record NettyTransportConfig(NodeId self, String clusterName, InetSocketAddress bind, String advertiseAddress,
                                   Duration connectTimeout, int maxFrameBytes, int maxQueuedMessagesPerPeer,
                                   long maxQueuedBytesPerPeer, Duration reconnectBackoffMin,
                                   Duration reconnectBackoffMax, TlsConfig tls, ClusterSecret secret,
                                   int maxInboundConnections, Duration idleTimeout) {

    /** Default of {@link #maxFrameBytes}: 2 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 2 << 20;
    /** Default of {@link #idleTimeout}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Default of {@link #maxInboundConnections}. */
    public static final int DEFAULT_MAX_INBOUND_CONNECTIONS = 256;
    /** Default of {@link #maxQueuedMessagesPerPeer}. */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = 4096;
    /** Default of {@link #maxQueuedBytesPerPeer}: 64 MiB. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L << 20;
    /** Default of {@link #connectTimeout}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default of {@link #reconnectBackoffMin}. */
    public static final Duration DEFAULT_BACKOFF_MIN = Duration.ofMillis(100);
    /** Default of {@link #reconnectBackoffMax}. */
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(5);

    /** The smallest {@link #maxFrameBytes} allowed: room for any handshake. */
    public static final int MIN_FRAME_BYTES = 16 << 10;
    /** The largest {@link #maxFrameBytes} allowed. */
    public static final int MAX_FRAME_BYTES = 1 << 30;

    /**
     * @throws IllegalArgumentException when a value is missing or out of range; the message
     *                                  names the option
     */
    public NettyTransportConfig {
        if (self == null) {
            throw new IllegalArgumentException("self is required");
        }
        if (clusterName == null) {
            throw new IllegalArgumentException("clusterName is required");
        }
        Handshake.checkClusterName(clusterName);
        if (bind == null) {
            throw new IllegalArgumentException("bind is required");
        }
        if (bind.isUnresolved()) {
            throw new IllegalArgumentException("bind must be a resolved address, was " + bind);
        }
        if (advertiseAddress != null) {
            HostPort.parse("advertiseAddress", advertiseAddress);
        }
        requirePositive("connectTimeout", connectTimeout);
        if (connectTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connectTimeout is too long: " + connectTimeout);
        }
        if (maxFrameBytes < MIN_FRAME_BYTES || maxFrameBytes > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be " + MIN_FRAME_BYTES + " to " + MAX_FRAME_BYTES
                    + ", was " + maxFrameBytes);
        }
        if (maxQueuedMessagesPerPeer < 1 || maxQueuedMessagesPerPeer > (1 << 24)) {
            throw new IllegalArgumentException("maxQueuedMessagesPerPeer must be 1 to " + (1 << 24) + ", was "
                    + maxQueuedMessagesPerPeer);
        }
        if (maxQueuedBytesPerPeer < maxFrameBytes) {
            throw new IllegalArgumentException("maxQueuedBytesPerPeer (" + maxQueuedBytesPerPeer
                    + ") must be at least maxFrameBytes (" + maxFrameBytes + ") so that any message fits");
        }
        if (maxInboundConnections < 1) {
            throw new IllegalArgumentException("maxInboundConnections must be positive, was " + maxInboundConnections);
        }
        requirePositive("idleTimeout", idleTimeout);
        if (idleTimeout.toMillis() < 30) {
            throw new IllegalArgumentException("idleTimeout must be at least 30 ms, was " + idleTimeout);
        }
        requirePositive("reconnectBackoffMin", reconnectBackoffMin);
        requirePositive("reconnectBackoffMax", reconnectBackoffMax);
        if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
            throw new IllegalArgumentException("reconnectBackoffMax (" + reconnectBackoffMax
                    + ") must not be below reconnectBackoffMin (" + reconnectBackoffMin + ")");
        }
    }

    private static void requirePositive(String option, Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " is required");
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + " must be positive, was " + value);
        }
    }

    /** A builder with the defaults for everything but the three required values. */
    public static Builder builder(NodeId self, String clusterName, InetSocketAddress bind) {
        return new Builder(self, clusterName, bind);
    }

    /** Whether peers prove who they are: with mutual TLS or a cluster secret. */
    public boolean authenticatesPeers() {
        return secret != null || (tls != null && tls.mutual());
    }

    /** Whether outgoing connections leave from the bind address (it is not a wildcard). */
    public boolean bindsOutgoing() {
        return !bind.getAddress().isAnyLocalAddress();
    }

    /** Builds a {@link NettyTransportConfig}; not thread-safe. */
    public static final class Builder {
        private final NodeId self;
        private final String clusterName;
        private final InetSocketAddress bind;
        private String advertiseAddress;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private int maxQueuedMessagesPerPeer = DEFAULT_MAX_QUEUED_MESSAGES;
        private Long maxQueuedBytesPerPeer;
        private Duration reconnectBackoffMin = DEFAULT_BACKOFF_MIN;
        private Duration reconnectBackoffMax = DEFAULT_BACKOFF_MAX;
        private TlsConfig tls;
        private ClusterSecret secret;
        private int maxInboundConnections = DEFAULT_MAX_INBOUND_CONNECTIONS;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;

        private Builder(NodeId self, String clusterName, InetSocketAddress bind) {
            this.self = self;
            this.clusterName = clusterName;
            this.bind = bind;
        }

        /** See {@link NettyTransportConfig#advertiseAddress()}. */
        public Builder advertiseAddress(String hostPort) {
            this.advertiseAddress = hostPort;
            return this;
        }

        /** See {@link NettyTransportConfig#connectTimeout()}. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** See {@link NettyTransportConfig#maxFrameBytes()}. */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = bytes;
            return this;
        }

        /** See {@link NettyTransportConfig#maxQueuedMessagesPerPeer()}. */
        public Builder maxQueuedMessagesPerPeer(int messages) {
            this.maxQueuedMessagesPerPeer = messages;
            return this;
        }

        /**
         * See {@link NettyTransportConfig#maxQueuedBytesPerPeer()}; when not set, the larger of
         * 64 MiB and {@code maxFrameBytes}.
         */
        public Builder maxQueuedBytesPerPeer(long bytes) {
            this.maxQueuedBytesPerPeer = bytes;
            return this;
        }

        /** See {@link NettyTransportConfig#reconnectBackoffMin()} and {@link NettyTransportConfig#reconnectBackoffMax()}. */
        public Builder reconnectBackoff(Duration min, Duration max) {
            this.reconnectBackoffMin = min;
            this.reconnectBackoffMax = max;
            return this;
        }

        /** See {@link NettyTransportConfig#tls()}. */
        public Builder tls(TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /** See {@link NettyTransportConfig#secret()}. */
        public Builder secret(ClusterSecret secret) {
            this.secret = secret;
            return this;
        }

        /** See {@link NettyTransportConfig#maxInboundConnections()}. */
        public Builder maxInboundConnections(int connections) {
            this.maxInboundConnections = connections;
            return this;
        }

        /** See {@link NettyTransportConfig#idleTimeout()}. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException naming the option that is missing or out of range
         */
        public NettyTransportConfig build() {
            long queuedBytes = Objects.requireNonNullElse(maxQueuedBytesPerPeer,
                    Math.max(DEFAULT_MAX_QUEUED_BYTES, maxFrameBytes));
            return new NettyTransportConfig(self, clusterName, bind, advertiseAddress, connectTimeout, maxFrameBytes,
                    maxQueuedMessagesPerPeer, queuedBytes, reconnectBackoffMin, reconnectBackoffMax, tls, secret,
                    maxInboundConnections, idleTimeout);
        }
    }
}
