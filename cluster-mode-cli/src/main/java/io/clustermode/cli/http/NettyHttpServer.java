package io.clustermode.cli.http;

import io.clustermode.transport.OncePerKey;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * An HTTP/1.1 server on Netty for the {@link Routes} of the API. Each connection gets this
 * pipeline of small handlers, in order:
 * <ol>
 *   <li>TLS, when configured;</li>
 *   <li>the HTTP codec, with limits on the request line and the headers;</li>
 *   <li>{@link AnswerCounter}: every answer counted by method and status;</li>
 *   <li>{@link RequestReadTimeout}: a client that sends its request slowly, or not at all, is cut off;</li>
 *   <li>{@link OneRequestAtATime}: answers leave in the order the requests came;</li>
 *   <li>{@link MalformedRequests}: what cannot be parsed is answered 400/414/431, as JSON;</li>
 *   <li>{@link BearerTokenAuth}, when a token is configured: 401 without it;</li>
 *   <li>{@link CappedAggregator}: the body, up to a cap; larger is 413;</li>
 *   <li>{@link RouteHandler}: the routes, whose futures are answered when they complete; an
 *       answer that stays open ({@link ApiAnswer#stream}, Server-Sent Events) gets its head, then
 *       a {@link StreamWriter} for the rest.</li>
 * </ol>
 * Connections beyond the cap are closed as they are accepted ({@link ConnectionLimit}). No
 * handler blocks its event loop, so a few slow or hostile clients cannot hold the others up.
 */
public final class NettyHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NettyHttpServer.class);

    private final Channel listener;
    private final ConnectionLimit connections;

    private NettyHttpServer(Channel listener, ConnectionLimit connections) {
        this.listener = listener;
        this.connections = connections;
    }

    /**
     * Listens on {@code address} and serves {@code routes} on the event loops of {@code group}
     * (which the caller owns and shuts down after {@link #close}).
     *
     * @throws IOException when it cannot listen there (a port in use, an address not of this host)
     */
    public static NettyHttpServer bind(InetSocketAddress address, EventLoopGroup group, HttpServerSettings settings,
                                       Routes routes, HttpServerEvents events) throws IOException {
        ConnectionLimit connections = new ConnectionLimit(settings.maxConnections());
        OncePerKey refusalLog = new OncePerKey(Duration.ofMinutes(1));
        RouteHandler router = new RouteHandler(routes);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (!connections.admit(channel)) {
                            events.connectionRefused();
                            if (refusalLog.shouldAct("connections")) {
                                LOG.warn("HTTP API: {} connections are open, the most allowed; closing new ones"
                                        + " at once (logged once a minute)", settings.maxConnections());
                            }
                            channel.close();
                            return;
                        }
                        pipeline(channel.pipeline(), settings, events, refusalLog, router);
                    }
                });
        try {
            Channel listener = bootstrap.bind(address).sync().channel();
            return new NettyHttpServer(listener, connections);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + address, e);
        } catch (Exception e) {
            // Netty rethrows the bind failure as is (a checked BindException, undeclared).
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The handlers of one connection (without the connection cap), in order; exposed for tests. */
    static void pipeline(ChannelPipeline pipeline, HttpServerSettings settings, HttpServerEvents events,
                         OncePerKey refusalLog, RouteHandler router) {
        if (settings.tls() != null) {
            pipeline.addLast("tls", settings.tls().newHandler(pipeline.channel().alloc()));
        }
        pipeline.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineBytes())
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxChunkSize(64 * 1024)));
        pipeline.addLast("answers", new AnswerCounter(events));
        pipeline.addLast("read-timeout", new RequestReadTimeout(settings.readTimeout(), events));
        pipeline.addLast("in-order", new OneRequestAtATime());
        pipeline.addLast("malformed", new MalformedRequests());
        if (settings.token() != null) {
            pipeline.addLast("auth", new BearerTokenAuth(settings.token(), events, refusalLog));
        }
        pipeline.addLast("aggregator", new CappedAggregator(settings.maxContentBytes()));
        pipeline.addLast("routes", router);
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Connections open now. */
    public int openConnections() {
        return connections.open();
    }

    /** Stops listening and closes the listener; open connections are closed with the event loop group. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
    }
}
