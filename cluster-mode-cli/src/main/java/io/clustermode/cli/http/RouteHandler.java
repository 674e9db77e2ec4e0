package io.clustermode.cli.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/**
 * The end of the pipeline: hands each complete request to the {@link Routes} and writes the
 * answer on the connection's event loop when its future completes. Never blocks. Shared by all
 * connections.
 */
@ChannelHandler.Sharable
public final class RouteHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(RouteHandler.class);

    private final Routes routes;

    /** Serves {@code routes}. */
    public RouteHandler(Routes routes) {
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        // The request's buffers are released when this returns: take what the routes need now.
        ApiRequest call = view(ctx, request);
        io.netty.handler.codec.http.HttpRequest head = new io.netty.handler.codec.http.DefaultHttpRequest(
                request.protocolVersion(), request.method(), request.uri(), request.headers());
        CompletableFuture<ApiAnswer> answer;
        try {
            answer = call == null ? CompletableFuture.completedFuture(ApiAnswer.error(400, "the request URI "
                    + "must be a path starting with /")) : routes.answer(call);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        // On the connection's event loop: the write needs it. A future completed elsewhere (a
        // proposal completes on the node's event loop) gets there in one hand-over; one completed
        // on this loop (batched reads are answered here) is written at once.
        answer.whenComplete((done, error) -> {
            if (ctx.executor().inEventLoop()) {
                write(ctx, head, call, done, error);
            } else {
                ctx.executor().execute(() -> write(ctx, head, call, done, error));
            }
        });
    }

    /** Writes the answer to {@code head} (the request's head: its buffers are released by now). */
    private static void write(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpRequest head, ApiRequest call,
                              ApiAnswer done, Throwable error) {
        ApiAnswer out = done;
        if (error != null || done == null) {
            LOG.warn("HTTP API: {} {} failed", head.method(), call == null ? "" : call.path(), error);
            out = ApiAnswer.error(500, "internal error: " + error);
        }
        if (out.stream() != null) {
            if (ctx.channel().isActive()) {
                Answers.open(ctx, head, out);
            }
            out.stream().start(new StreamWriter(ctx)); // a closed one learns at once that it is
        } else {
            Answers.send(ctx, head, out, false);
        }
    }

    /**
     * A connection failed (reset by the client, a TLS handshake refused, a protocol error the
     * codec could not turn into a request): expected from the network, so logged without a
     * stack trace, and the connection is closed.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        LOG.debug("HTTP API: connection from {} failed: {}", ctx.channel().remoteAddress(), root.toString());
        ctx.close();
    }

    /** The request as the routes see it; null when its URI has no path. */
    static ApiRequest view(ChannelHandlerContext ctx, FullHttpRequest request) {
        String uri = request.uri();
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            // Absolute form (RFC 9112 §3.2.2): the path starts after the authority.
            int slash = uri.indexOf('/', uri.indexOf("//") + 2);
            uri = slash < 0 ? "/" : uri.substring(slash);
        }
        if (!uri.startsWith("/")) {
            return null;
        }
        int mark = uri.indexOf('?');
        String path = mark < 0 ? uri : uri.substring(0, mark);
        String query = mark < 0 ? null : uri.substring(mark + 1);
        int fragment = path.indexOf('#');
        if (fragment >= 0) {
            path = path.substring(0, fragment);
        }
        return new ApiRequest(request.method().name(), path, query, request.headers(),
                ByteBufUtil.getBytes(request.content()), ctx.channel().remoteAddress(), ctx.executor());
    }
}
