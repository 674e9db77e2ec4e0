package io.clustermode.cli.http;

import io.clustermode.transport.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sends requests on to another node's HTTP API over kept-alive, pooled connections: at most
 * {@code maxConnectionsPerNode} to each node, and requests beyond that wait for one (up to
 * {@value #MAX_WAITING} per node; more are refused at once). Connections leave from
 * {@code localAddress} when one is given, so the other node sees this node's own address.
 *
 * <p>The outcome says what the other node may have done: {@link Outcome.NotSent} (it never
 * got the request: the connection could not be made or the request not written),
 * {@link Outcome.NoAnswer} (it got the request, or may have, but did not answer in time or
 * dropped the connection), or {@link Outcome.Answered}. To keep the first from turning into
 * the second, a pooled connection is reused only while it has been idle less than
 * {@code maxIdle}: shorter than the other node's read timeout, after which it closes idle
 * connections, so a request is never written into a connection just being closed.
 *
 * <p>Non-blocking and thread-safe; runs on the given event loops, which the caller owns.
 */
public final class ForwardingClient implements AutoCloseable {

    /** Requests that may wait for a connection to one node. */
    static final int MAX_WAITING = 4096;
    private static final int MAX_ANSWER_BYTES = 4 << 20;
    private static final AttributeKey<Long> LAST_USED = AttributeKey.valueOf("cluster-mode-last-used");

    /** What became of a request. */
    public sealed interface Outcome {
        /** The other node answered. */
        record Answered(int status, HttpHeaders headers, byte[] body) implements Outcome {
        }

        /** The other node never got the request. */
        record NotSent(String problem) implements Outcome {
        }

        /** The other node may have got the request, but no answer came. */
        record NoAnswer(String problem) implements Outcome {
        }
    }

    private final EventLoopGroup group;
    private final InetAddress localAddress;
    private final SslContext tls;
    private final int maxConnectionsPerNode;
    private final Duration connectTimeout;
    private final long maxIdleNanos;
    private final Duration waitForConnection;
    private final Map<String, FixedChannelPool> pools = new ConcurrentHashMap<>();

    /**
     * A client on {@code group}.
     *
     * @param localAddress          where connections leave from; null for whatever the system picks
     * @param tls                   the client TLS context, or null for plain HTTP
     * @param maxConnectionsPerNode connections kept to one node, at most
     * @param connectTimeout        how long a connection may take to be made
     * @param maxIdle               a pooled connection idle longer is closed rather than reused
     * @param waitForConnection     how long a request may wait for a free pooled connection
     */
    public ForwardingClient(EventLoopGroup group, InetAddress localAddress, SslContext tls, int maxConnectionsPerNode,
                            Duration connectTimeout, Duration maxIdle, Duration waitForConnection) {
        this.group = group;
        this.localAddress = localAddress;
        this.tls = tls;
        this.maxConnectionsPerNode = maxConnectionsPerNode;
        this.connectTimeout = connectTimeout;
        this.maxIdleNanos = maxIdle.toNanos();
        this.waitForConnection = waitForConnection;
    }

    /**
     * Sends {@code method pathAndQuery} with {@code headers} and {@code body} to the node at
     * {@code hostPort}, waiting at most {@code timeout} for the answer. Never completes
     * exceptionally.
     */
    public CompletableFuture<Outcome> send(String hostPort, String method, String pathAndQuery,
                                           Map<String, String> headers, byte[] body, Duration timeout) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        FixedChannelPool pool;
        try {
            pool = pools.computeIfAbsent(hostPort, this::newPool);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Outcome.NotSent("bad address " + hostPort + ": "
                    + e.getMessage()));
        }
        pool.acquire().addListener(acquired -> {
            if (!acquired.isSuccess()) {
                outcome.complete(new Outcome.NotSent("cannot connect to " + hostPort + ": "
                        + describe(acquired.cause())));
                return;
            }
            Channel channel = (Channel) acquired.getNow();
            AnswerReader reader = channel.pipeline().get(AnswerReader.class);
            reader.expect(outcome, pool, timeout, hostPort);
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method),
                    pathAndQuery, Unpooled.wrappedBuffer(body));
            request.headers().set(HttpHeaderNames.HOST, hostPort);
            headers.forEach((name, value) -> request.headers().set(name, value));
            HttpUtil.setContentLength(request, body.length);
            channel.writeAndFlush(request).addListener(written -> reader.written(written.isSuccess(),
                    written.cause()));
        });
        return outcome;
    }

    private FixedChannelPool newPool(String hostPort) {
        HostPort peer = HostPort.parse("a node's HTTP address", hostPort);
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .remoteAddress(new InetSocketAddress(peer.host(), peer.port()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true);
        if (localAddress != null) {
            bootstrap.localAddress(new InetSocketAddress(localAddress, 0));
        }
        ChannelHealthChecker fresh = channel -> {
            Long lastUsed = channel.attr(LAST_USED).get();
            boolean usable = channel.isActive() && lastUsed != null && System.nanoTime() - lastUsed < maxIdleNanos;
            return channel.eventLoop().newSucceededFuture(usable);
        };
        return new FixedChannelPool(bootstrap, new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel channel) {
                channel.attr(LAST_USED).set(System.nanoTime());
                if (tls != null) {
                    channel.pipeline().addLast(tls.newHandler(channel.alloc(), peer.host(), peer.port()));
                }
                channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_ANSWER_BYTES),
                        new AnswerReader());
            }

            @Override
            public void channelReleased(Channel channel) {
                channel.attr(LAST_USED).set(System.nanoTime());
            }
        }, fresh, FixedChannelPool.AcquireTimeoutAction.FAIL, waitForConnection.toMillis(), maxConnectionsPerNode,
                MAX_WAITING, true, true);
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    public void close() {
        pools.values().forEach(FixedChannelPool::close);
        pools.clear();
    }

    /** Reads the one answer a pooled connection awaits, then gives the connection back (or closes it). */
    private static final class AnswerReader extends SimpleChannelInboundHandler<FullHttpResponse> {
        private CompletableFuture<Outcome> outcome;
        private FixedChannelPool pool;
        private ScheduledFuture<?> timer;
        private String peer;
        private boolean written;
        private Channel channel;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        /** Called on any thread, right after the pool handed out this connection. */
        void expect(CompletableFuture<Outcome> next, FixedChannelPool from, Duration timeout, String hostPort) {
            channel.eventLoop().execute(() -> {
                outcome = next;
                pool = from;
                peer = hostPort;
                written = false;
                timer = channel.eventLoop().schedule(() -> finish(new Outcome.NoAnswer(hostPort
                        + " did not answer within " + timeout.toMillis() + " ms"), false),
                        timeout.toNanos(), TimeUnit.NANOSECONDS);
            });
        }

        void written(boolean success, Throwable cause) {
            channel.eventLoop().execute(() -> {
                if (success) {
                    written = true;
                } else {
                    finish(new Outcome.NotSent("cannot send to " + peer + ": " + describe(cause)), false);
                }
            });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            if (outcome == null) {
                ctx.close(); // an answer nobody asked for: this connection is out of step
                return;
            }
            if (response.decoderResult().isFailure()) {
                finish(new Outcome.NoAnswer(peer + " sent a malformed answer"), false);
                return;
            }
            finish(new Outcome.Answered(response.status().code(), response.headers(),
                    ByteBufUtil.getBytes(response.content())), HttpUtil.isKeepAlive(response));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (outcome != null) {
                finish(written ? new Outcome.NoAnswer(peer + " closed the connection before answering")
                        : new Outcome.NotSent(peer + " closed the connection"), false);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (outcome != null) {
                finish(written ? new Outcome.NoAnswer(peer + ": " + describe(cause))
                        : new Outcome.NotSent(peer + ": " + describe(cause)), false);
            }
            ctx.close();
        }

        private void finish(Outcome result, boolean reusable) {
            CompletableFuture<Outcome> done = outcome;
            FixedChannelPool from = pool;
            if (done == null) {
                return;
            }
            outcome = null;
            pool = null;
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            if (!reusable) {
                channel.close();
            }
            from.release(channel);
            done.complete(result);
        }
    }
}
