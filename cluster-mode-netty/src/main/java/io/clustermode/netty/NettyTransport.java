package io.clustermode.netty;

import io.clustermode.codec.HandshakeReply;
import io.clustermode.transport.HostPort;
import io.clustermode.transport.PeerIdentity;
import io.clustermode.codec.MessageCodec;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} over TCP on Netty, optionally with TLS or mutual TLS.
 *
 * <h2>Connections</h2>
 * A node keeps one outbound connection to each peer in its peer map and writes its messages
 * there; it reads messages from the connections its peers open to it. Every connection starts
 * with a handshake (protocol version, cluster name, node id; see
 * {@link io.clustermode.codec.Handshake}); the accepting side answers with its own id, or
 * refuses with a reason and closes. A broken or refused outbound connection is re-established
 * with exponential backoff between {@link NettyTransportConfig#reconnectBackoffMin()} and
 * {@link NettyTransportConfig#reconnectBackoffMax()} (a refusal waits the maximum) for as long
 * as the peer stays in the map.
 *
 * <p>{@link Transport.Listener#onPeerUnreachable} is called once per outage of an outbound
 * connection and per distinct reason (the connection broke, could not be made, or was refused),
 * not on every retry; a later successful handshake starts a new outage count.
 *
 * <h2>Frames</h2>
 * Each frame is a big-endian u32 length, then that many bytes: a
 * {@link io.clustermode.codec.Handshake}, a {@link HandshakeReply}, or one message encoded by
 * {@link MessageCodec}. A frame that is malformed, larger than
 * {@link NettyTransportConfig#maxFrameBytes()}, or cut short closes its connection, with a WARN
 * naming the peer and the reason; other connections are not affected.
 *
 * <h2>Back-pressure</h2>
 * Messages are encoded by {@link #send} on the caller's thread and queued per peer, at most
 * {@link NettyTransportConfig#maxQueuedMessagesPerPeer()} messages and
 * {@link NettyTransportConfig#maxQueuedBytesPerPeer()} bytes; beyond that they are dropped and
 * counted ({@link #droppedMessages()}). The queue is written to the connection only while
 * Netty's outbound buffer is under its high water mark (4 MiB), so a slow or dead peer costs
 * at most its queue.
 *
 * <h2>Threading</h2>
 * One acceptor thread, two I/O threads, and up to two threads for host-name lookups (so that
 * a slow DNS server never stalls I/O), all daemon threads. Every public method may be
 * called from any thread; {@link #send} never blocks. The {@link Transport.Listener} is called
 * on the I/O threads, must not block, and should not throw (what it throws is logged).
 *
 * <h2>Logging</h2>
 * Through SLF4J, on the logger {@code io.clustermode.netty.NettyTransport}; each line starts
 * with this node's id. Peers coming and going are INFO or DEBUG, without stack traces;
 * refusals and bad input are WARN.
 */
public final class NettyTransport implements Transport {

    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    /** Writing stops above the high mark and resumes below the low one. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(1 << 20, 4 << 20);
    /**
     * One I/O thread: a node has a few connections, and with one thread the heartbeats to all
     * followers go out in one wake-up (with two, an idle leader woke 46 times a second instead
     * of 27; on a virtual machine each wake-up costs ~100 µs of CPU). In-process replication
     * throughput did not drop (3 nodes, 256 clients: 95k writes/s with two, 101k with one).
     */
    private static final int WORKER_THREADS = 1;
    private static final long SHUTDOWN_WAIT_MILLIS = 3_000;

    private enum State { NEW, STARTED, CLOSED }

    /** How many peers' cluster ids are remembered at most. */
    private static final int MAX_REMEMBERED_PEERS = 1024;

    private final NettyTransportConfig config;
    private final Object lock = new Object();
    private final ConcurrentHashMap<NodeId, PeerLink> links = new ConcurrentHashMap<>();
    /** Messages dropped because no peer was known for them, or the transport was not running. */
    private final AtomicLong droppedUnrouted = new AtomicLong();
    private final AtomicLong refusedHandshakes = new AtomicLong();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger inboundConnections =
            new java.util.concurrent.atomic.AtomicInteger();
    /** Inbound connections past their handshake; guarded by itself, with {@link #inboundPaused}. */
    private final java.util.Set<Channel> inboundChannels = new java.util.HashSet<>();
    private boolean inboundPaused;
    /** Refusals are logged at most once a minute per remote host. */
    private final io.clustermode.transport.OncePerKey refusalLog =
            new io.clustermode.transport.OncePerKey(java.time.Duration.ofMinutes(1));
    private volatile State state = State.NEW;
    private volatile Listener listener;
    private volatile InetSocketAddress localAddress;
    /** This node's cluster id, sent in every handshake; empty until the node knows it. */
    private volatile String clusterId = "";
    /**
     * The cluster id each peer sent when it last connected here, after it proved who it is.
     * Bounded: without a secret anyone can complete a handshake under any id.
     */
    private final Map<NodeId, String> peerClusterIds = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<NodeId, String> eldest) {
                    return size() > MAX_REMEMBERED_PEERS;
                }
            });
    /** Told of every peer that proved who it is on an inbound connection; null for nobody. */
    private volatile java.util.function.Consumer<io.clustermode.transport.PeerHello> helloListener;
    /** The address this node's hellos advertise, once known; see {@link #helloAddress()}. */
    private volatile String helloAddress;
    // Guarded by lock.
    private Map<NodeId, String> peers = Map.of();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private OffLoopResolver resolver;
    private TlsContexts tls;

    /** A transport with these settings; nothing happens before {@link #start}. */
    public NettyTransport(NettyTransportConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The settings. */
    public NettyTransportConfig config() {
        return config;
    }

    /**
     * Reads the TLS files, if any, listens on the bind address, and starts connecting to the
     * peers given so far. Returns once the socket is bound.
     *
     * @throws IOException           when the TLS files are unusable or the address cannot be
     *                               bound; the transport is then closed
     * @throws IllegalStateException when started before, or closed
     */
    @Override
    public void start(Listener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("transport of " + config.self() + " is " + state.name().toLowerCase(java.util.Locale.ROOT)
                        + "; start it once");
            }
            this.listener = listener;
            try {
                if (config.tls() != null) {
                    tls = TlsContexts.of(config.tls());
                }
                String name = "cluster-mode-" + config.self().value();
                boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name + "-accept", true),
                        NioIoHandler.newFactory());
                workers = new MultiThreadIoEventLoopGroup(WORKER_THREADS, new DefaultThreadFactory(name + "-io", true),
                        NioIoHandler.newFactory());
                resolver = new OffLoopResolver(name + "-dns");
                ChannelFuture bound = serverBootstrap().bind(config.bind()).awaitUninterruptibly();
                if (!bound.isSuccess()) {
                    throw new IOException("cannot listen on " + HostPort.format(config.bind()) + ": "
                            + Frames.describe(bound.cause()), bound.cause());
                }
                localAddress = (InetSocketAddress) bound.channel().localAddress();
            } catch (IOException | RuntimeException e) {
                state = State.CLOSED;
                shutDownThreads();
                throw e;
            }
            state = State.STARTED;
            log.info("{}: listening on {} for cluster '{}' ({}{})", config.self(), HostPort.format(localAddress),
                    config.clusterName(),
                    config.tls() == null ? "plain TCP" : config.tls().mutual() ? "mutual TLS" : "TLS",
                    config.secret() != null ? ", peers prove the cluster secret"
                            : config.authenticatesPeers() ? "" : ", peers NOT authenticated");
            if (!config.authenticatesPeers() && !localAddress.getAddress().isLoopbackAddress()) {
                log.warn("{}: peers are not authenticated on {}: anyone who reaches it can speak as any node "
                        + "(use a cluster secret or mutual TLS)", config.self(), HostPort.format(localAddress));
            }
            reconcilePeers();
        }
    }

    private ServerBootstrap serverBootstrap() {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (inboundConnections.incrementAndGet() > config.maxInboundConnections()) {
                            inboundConnections.decrementAndGet();
                            refusedConnections.incrementAndGet();
                            logRateLimited("connections", () -> log.warn("{}: refused a connection from {}: already {} "
                                    + "inbound connections (maxInboundConnections)", config.self(),
                                    HostPort.format(ch.remoteAddress()), config.maxInboundConnections()));
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(closed -> inboundConnections.decrementAndGet());
                        if (tls != null) {
                            SslHandler ssl = tls.server().newHandler(ch.alloc());
                            ssl.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
                            ch.pipeline().addLast("tls", ssl);
                        }
                        FrameDecoder frames = new FrameDecoder(config.maxFrameBytes());
                        ch.pipeline().addLast("frames", frames);
                        ch.pipeline().addLast("inbound", new InboundHandler(NettyTransport.this, frames));
                    }
                });
    }

    /**
     * Replaces the peer map. New peers are connected to at once, removed ones are disconnected
     * and their queued messages dropped, and a peer whose address changed is reconnected at
     * its new address. An entry for this node itself is ignored. Before {@link #start}, the
     * map is kept for it.
     *
     * @param peers node id to "host:port" (IPv6 hosts in brackets, as "[::1]:9000")
     * @throws IllegalArgumentException when an address is not host:port; the message names the
     *                                  peer. The previous map then stays in force.
     */
    @Override
    public void updatePeers(Map<NodeId, String> peers) {
        Objects.requireNonNull(peers, "peers");
        Map<NodeId, String> copy = new HashMap<>();
        peers.forEach((id, address) -> {
            Objects.requireNonNull(id, "peer id");
            if (id.equals(config.self())) {
                return;
            }
            HostPort.parse("the address of peer " + id, address);
            copy.put(id, address);
        });
        synchronized (lock) {
            this.peers = Map.copyOf(copy);
            if (state == State.STARTED) {
                reconcilePeers();
            }
        }
    }

    private void reconcilePeers() {
        for (Iterator<Map.Entry<NodeId, PeerLink>> it = links.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<NodeId, PeerLink> entry = it.next();
            if (!peers.containsKey(entry.getKey())) {
                log.info("{}: {} left the peer map", config.self(), entry.getKey());
                entry.getValue().remove();
                it.remove();
            }
        }
        peers.forEach((id, address) -> {
            PeerLink link = links.get(id);
            if (link == null) {
                link = new PeerLink(this, id, workers.next(), address);
                links.put(id, link);
                link.start();
            } else {
                link.updateAddress(address);
            }
        });
    }

    @Override
    public void helloListener(java.util.function.Consumer<io.clustermode.transport.PeerHello> listener) {
        this.helloListener = listener;
    }

    /**
     * The address this node's hellos advertise: {@link #advertiseAddress()} when it is a
     * {@code host:port} peers can connect to (a configured port 0 is replaced by the bound port);
     * empty when there is none, and then nobody can reach this node back through its hello.
     */
    String helloAddress() {
        String known = helloAddress;
        if (known != null) {
            return known;
        }
        String address;
        try {
            HostPort advertised = HostPort.parseListen("advertiseAddress", advertiseAddress());
            InetSocketAddress bound = localAddress;
            if (advertised.port() == 0 && bound != null) {
                advertised = new HostPort(advertised.host(), bound.getPort());
            }
            address = advertised.port() == 0 ? "" : advertised.toString();
            io.clustermode.codec.Handshake.checkAdvertisedAddress(address);
        } catch (IllegalArgumentException | IllegalStateException unusable) {
            address = "";
        }
        if (localAddress != null) {
            helloAddress = address; // settled once the port is bound
        }
        return address;
    }

    /**
     * A peer proved who it is on an inbound connection: tells the hello listener, with the
     * advertised address only when it is a {@code host:port} (anything else is dropped and logged,
     * at most once a minute per remote host).
     */
    void peerSaidHello(io.clustermode.codec.Handshake hello, java.net.SocketAddress remote) {
        java.util.function.Consumer<io.clustermode.transport.PeerHello> current = helloListener;
        if (current == null || state != State.STARTED) {
            return;
        }
        String address = hello.advertisedAddress();
        if (!address.isEmpty()) {
            try {
                HostPort.parse("advertised address", address);
            } catch (IllegalArgumentException e) {
                logRateLimited("address:" + HostPort.hostOf(remote), () -> log.warn(
                        "{}: {} ({}) advertises an address no node can connect to; ignoring it: {}", config.self(),
                        hello.nodeId(), HostPort.format(remote), e.getMessage()));
                address = "";
            }
        }
        try {
            current.accept(new io.clustermode.transport.PeerHello(hello.nodeId(), hello.clusterId(), address));
        } catch (RuntimeException e) {
            log.warn("{}: the hello listener failed on {}: {}", config.self(), hello.nodeId(), e.toString());
        }
    }

    @Override
    public void reconnect(NodeId peer) {
        PeerLink link = links.get(peer);
        if (link != null && !isClosed()) {
            link.reconnectNow();
        }
    }

    @Override
    public void clusterId(String id) {
        io.clustermode.codec.Handshake.checkClusterId(id);
        this.clusterId = id;
    }

    /** This node's cluster id; empty while it knows none. */
    String clusterId() {
        return clusterId;
    }

    @Override
    public java.util.Optional<String> peerClusterId(NodeId peer) {
        return java.util.Optional.ofNullable(peerClusterIds.get(peer));
    }

    /** A peer proved who it is and named its cluster's id (not empty). */
    void peerNamedClusterId(NodeId peer, String id) {
        peerClusterIds.put(peer, id);
    }

    /** A peer completed a handshake on an inbound connection: it is up, so stop backing off from it. */
    void peerConnectedToUs(NodeId peer) {
        PeerLink link = links.get(peer);
        if (link != null && !isClosed()) {
            link.peerCameBack();
        }
    }

    /**
     * Encodes {@code message} on this thread and queues it for its receiver. Never blocks.
     *
     * @return false when the message was dropped: the transport is not running, the receiver
     * is not in the peer map, its queue is full, or the message is larger than
     * {@link NettyTransportConfig#maxFrameBytes()} (logged at WARN). True means queued, not
     * delivered: a queued message is still lost if the connection breaks.
     * @throws IllegalArgumentException when the message is not from this node
     */
    @Override
    public boolean send(Message message) {
        Objects.requireNonNull(message, "message");
        if (!message.from().equals(config.self())) {
            throw new IllegalArgumentException("a message from " + message.from() + " cannot be sent by "
                    + config.self());
        }
        if (state != State.STARTED) {
            droppedUnrouted.incrementAndGet();
            return false;
        }
        PeerLink link = links.get(message.to());
        if (link == null) {
            droppedUnrouted.incrementAndGet();
            log.debug("{}: dropped a {} to {}, who is not in the peer map", config.self(),
                    message.getClass().getSimpleName(), message.to());
            return false;
        }
        if (link.isFull()) {
            link.countDrop();
            return false;
        }
        int size;
        try {
            size = MessageCodec.sizeOf(message);
        } catch (IllegalArgumentException tooLarge) {
            size = Integer.MAX_VALUE;
        }
        if (size > config.maxFrameBytes()) {
            link.countDrop();
            log.warn("{}: dropped a {} to {}: {} bytes exceed maxFrameBytes ({})", config.self(),
                    message.getClass().getSimpleName(), message.to(), size, config.maxFrameBytes());
            return false;
        }
        byte[] frame = new byte[4 + size];
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        buffer.putInt(size);
        MessageCodec.encode(message, buffer);
        return link.offer(frame);
    }

    /**
     * Connects to {@code hostPort}, does the handshake, and closes again: tells who listens
     * there. Does not need the address to be in the peer map.
     *
     * @return the id and status the remote node gave in its handshake reply. It fails with
     * {@link HandshakeRefusedException} when the node refused (another cluster or protocol
     * version, an untrusted certificate), with another {@link IOException} when it could not be
     * reached in about twice {@link NettyTransportConfig#connectTimeout()}, with
     * {@link IllegalArgumentException} for an address that is not host:port, and with
     * {@link IllegalStateException} when the transport is not running. Completed on an I/O
     * thread.
     */
    @Override
    public CompletableFuture<PeerIdentity> identify(String hostPort) {
        CompletableFuture<PeerIdentity> result = new CompletableFuture<>();
        try {
            HostPort.parse("a peer's address", hostPort);
            if (state != State.STARTED) {
                throw new IllegalStateException("transport of " + config.self() + " is not running");
            }
            EventLoop loop = workers.next();
            connect(loop, hostPort, null, new OutboundHandler.Owner() {
                private Channel channel;

                @Override
                public void onAccepted(Channel ch, HandshakeReply reply) {
                    channel = ch;
                    result.complete(new PeerIdentity(reply.nodeId(), reply.status()));
                    channel.close();
                }

                @Override
                public void onClosed(String reason, boolean refused) {
                    if (result.isDone()) {
                        return;
                    }
                    log.debug("{}: cannot identify {}: {}", config.self(), hostPort, reason);
                    result.completeExceptionally(refused
                            ? new HandshakeRefusedException(hostPort + ": " + reason)
                            : new IOException("cannot identify " + hostPort + ": " + reason));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** What the listener tells a node that asks who this one is; empty before start or on failure. */
    byte[] describeSelf(NodeId asker) {
        Listener current = listener;
        if (current == null) {
            return new byte[0];
        }
        try {
            byte[] status = current.describeSelf(asker);
            return status.length <= HandshakeReply.MAX_STATUS_BYTES ? status : new byte[0];
        } catch (RuntimeException e) {
            log.warn("{}: describing itself to {} failed: {}", config.self(), asker, e.toString());
            return new byte[0];
        }
    }

    /** Opens one outbound connection on {@code loop}, leaving from the bind address when it is concrete. */
    ChannelFuture connect(EventLoop loop, String hostPort, NodeId expected, OutboundHandler.Owner owner) {
        InetSocketAddress remote = HostPort.parse("a peer's address", hostPort).unresolved();
        OutboundHandler handler = new OutboundHandler(this, expected, owner);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            SslHandler ssl = tls.client().newHandler(ch.alloc(), remote.getHostString(),
                                    remote.getPort());
                            ssl.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
                            ch.pipeline().addLast("tls", ssl);
                        }
                        // This side only ever reads the handshake reply.
                        ch.pipeline().addLast("frames", new FrameDecoder(FrameDecoder.HANDSHAKE_LIMIT));
                        ch.pipeline().addLast("outbound", handler);
                    }
                });
        ChannelFuture future = config.bindsOutgoing()
                ? bootstrap.connect(remote, new InetSocketAddress(config.bind().getAddress(), 0))
                : bootstrap.connect(remote);
        future.addListener(f -> {
            if (f.isSuccess()) {
                future.channel().closeFuture().addListener(closed -> handler.closed());
            } else {
                handler.connectFailed(f.cause());
            }
        });
        return future;
    }

    /** Hands an inbound message to the listener; what the listener throws is logged, not propagated. */
    void deliver(Message message) {
        if (state != State.STARTED) {
            return;
        }
        try {
            listener.onMessage(message);
        } catch (RuntimeException e) {
            log.error("{}: the listener failed on a {} from {}", config.self(), message.getClass().getSimpleName(),
                    message.from(), e);
        }
    }

    /** An inbound connection finished its handshake: from now on it follows pause and resume. */
    void inboundReady(Channel channel) {
        synchronized (inboundChannels) {
            inboundChannels.add(channel);
            if (inboundPaused) {
                channel.config().setAutoRead(false);
            }
        }
        channel.closeFuture().addListener(closed -> {
            synchronized (inboundChannels) {
                inboundChannels.remove(channel);
            }
        });
    }

    /**
     * Stops reading every inbound connection (and new ones once past their handshake) until
     * {@link #resumeInbound}: TCP's flow control then holds the senders back. Handshakes go on.
     */
    @Override
    public void pauseInbound() {
        synchronized (inboundChannels) {
            if (!inboundPaused) {
                inboundPaused = true;
                inboundChannels.forEach(channel -> channel.config().setAutoRead(false));
                log.debug("{}: inbound reading paused", config.self());
            }
        }
    }

    @Override
    public void resumeInbound() {
        synchronized (inboundChannels) {
            if (inboundPaused) {
                inboundPaused = false;
                inboundChannels.forEach(channel -> channel.config().setAutoRead(true));
                log.debug("{}: inbound reading resumed", config.self());
            }
        }
    }

    /** Whether inbound reading is paused ({@link #pauseInbound}). */
    public boolean inboundPaused() {
        synchronized (inboundChannels) {
            return inboundPaused;
        }
    }

    /** A handshake was refused: another cluster or version, a certificate or secret that does not prove the claimed id. */
    void countRefusedHandshake() {
        refusedHandshakes.incrementAndGet();
    }

    /**
     * Runs {@code logLine} unless a line with this key was logged in the last minute: an
     * attacker must not be able to flood the log.
     */
    void logRateLimited(String key, Runnable logLine) {
        if (refusalLog.shouldAct(key)) {
            logLine.run();
        }
    }

    /** Handshakes refused so far (see {@link #countRefusedHandshake}); a connection refused for the connection cap is not counted here. */
    public long refusedHandshakes() {
        return refusedHandshakes.get();
    }

    /** Connections closed at once because {@link NettyTransportConfig#maxInboundConnections()} were open. */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    void peerUnreachable(NodeId peer, String reason) {
        if (state != State.STARTED) {
            return;
        }
        try {
            listener.onPeerUnreachable(peer, reason);
        } catch (RuntimeException e) {
            log.error("{}: the listener failed on news that {} is unreachable", config.self(), peer, e);
        }
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }

    /** The address the transport listens on, its port resolved; null before {@link #start}. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * The "host:port" peers should use to reach this node: the configured
     * {@link NettyTransportConfig#advertiseAddress()}, or else the bound address, where a
     * wildcard bind address is replaced by this host's address.
     *
     * @throws IllegalStateException when nothing is configured and the transport has not started
     */
    public String advertiseAddress() {
        if (config.advertiseAddress() != null) {
            return config.advertiseAddress();
        }
        InetSocketAddress bound = localAddress;
        if (bound == null) {
            throw new IllegalStateException("no advertiseAddress configured and the transport has not started");
        }
        if (!bound.getAddress().isAnyLocalAddress()) {
            return HostPort.format(bound);
        }
        try {
            return HostPort.format(new InetSocketAddress(InetAddress.getLocalHost(), bound.getPort()));
        } catch (UnknownHostException e) {
            return HostPort.format(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort()));
        }
    }

    /** Whether the connection to {@code peer} is up, handshake done. */
    public boolean isConnected(NodeId peer) {
        PeerLink link = links.get(peer);
        return link != null && link.isReady();
    }

    /** Messages waiting in the queue of {@code peer}; 0 for a peer not in the map. */
    public int queuedMessages(NodeId peer) {
        PeerLink link = links.get(peer);
        return link == null ? 0 : link.queued();
    }

    /** Messages to {@code peer} dropped so far (a full queue, too large); 0 for a peer not in the map. */
    public long droppedMessages(NodeId peer) {
        PeerLink link = links.get(peer);
        return link == null ? 0 : link.dropped();
    }

    /**
     * Messages dropped so far by {@link #send}, for any reason, over the peers now in the
     * map plus those sent to unknown peers or while not running.
     */
    public long droppedMessages() {
        long total = droppedUnrouted.get();
        for (PeerLink link : links.values()) {
            total += link.dropped();
        }
        return total;
    }

    /**
     * Stops listening, closes every connection, drops what is queued, and stops the threads,
     * waiting up to about three seconds for them (not at all when called on one of them).
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            boolean started = state == State.STARTED;
            state = State.CLOSED;
            if (!started) {
                return;
            }
        }
        shutDownThreads();
        links.clear();
        log.info("{}: transport closed", config.self());
    }

    private void shutDownThreads() {
        // Channels are closed by their event loops as they shut down.
        Future<?> workersDone = workers == null ? null : workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        Future<?> bossDone = boss == null ? null : boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (resolver != null) {
            resolver.close();
        }
        if (onOwnThread()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_WAIT_MILLIS);
        for (Future<?> done : new Future<?>[]{workersDone, bossDone}) {
            if (done != null) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (!done.awaitUninterruptibly(Math.max(left, 0))) {
                    log.warn("{}: transport threads did not stop within {} ms", config.self(), SHUTDOWN_WAIT_MILLIS);
                    return;
                }
            }
        }
    }

    private boolean onOwnThread() {
        for (EventLoopGroup group : new EventLoopGroup[]{workers, boss}) {
            if (group != null) {
                for (EventExecutor executor : group) {
                    if (executor.inEventLoop()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
