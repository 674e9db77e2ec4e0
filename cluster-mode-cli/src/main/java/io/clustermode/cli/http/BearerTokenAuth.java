package io.clustermode.cli.http;

import io.clustermode.transport.OncePerKey;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Lets a request through only when it carries {@code Authorization: Bearer <token>}; the
 * others get 401 with {@code WWW-Authenticate: Bearer}, their bodies dropped as they arrive
 * (never buffered), and the connection stays usable. {@code GET /health} (for load balancers
 * and probes) and the UI's static files under {@code /ui} need no token. {@code GET /cluster/events}
 * also takes the token as {@code ?access_token=TOKEN}, since a browser's {@code EventSource}
 * cannot send headers.
 *
 * <p>Each refusal is reported to {@link HttpServerEvents#authenticationRefused} and logged at
 * most once a minute per client address; the token is never logged. Sits before the
 * aggregator, so an unauthenticated client cannot make the server buffer a body. One per
 * connection.
 */
public final class BearerTokenAuth extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(BearerTokenAuth.class);

    private final BearerToken token;
    private final HttpServerEvents events;
    private final OncePerKey logged;
    /** The rest of a refused request's body is dropped. */
    private boolean dropping;

    /** Asks for {@code token}; {@code logged} limits the refusal log lines (share one per server). */
    public BearerTokenAuth(BearerToken token, HttpServerEvents events, OncePerKey logged) {
        this.token = token;
        this.events = events;
        this.logged = logged;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest request) {
            String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (authorization == null) {
                authorization = queryToken(request);
            }
            if (isOpen(request) || token.matches(authorization)) {
                dropping = false;
                ctx.fireChannelRead(msg);
                return;
            }
            dropping = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            refuse(ctx, request, authorization == null ? "missing" : "wrong");
            return;
        }
        if (dropping && msg instanceof HttpContent) {
            dropping = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * For {@code GET /cluster/events} only: the token as {@code ?access_token=} (RFC 6750 §2.3),
     * as {@code Authorization} would carry it, since a browser's {@code EventSource} cannot send
     * headers; null when there is none. Nowhere else, so tokens stay out of the URLs of
     * ordinary requests.
     */
    static String queryToken(HttpRequest request) {
        if (!HttpMethod.GET.equals(request.method())) {
            return null;
        }
        io.netty.handler.codec.http.QueryStringDecoder uri = new io.netty.handler.codec.http.QueryStringDecoder(
                request.uri());
        if (!uri.path().equals(EVENTS_PATH)) {
            return null;
        }
        java.util.List<String> values = uri.parameters().get("access_token");
        return values == null || values.size() != 1 ? null : "Bearer " + values.get(0);
    }

    /** The one path that takes the token from the query. */
    static final String EVENTS_PATH = "/cluster/events";

    /** Whether {@code request} is served without a token. */
    static boolean isOpen(HttpRequest request) {
        HttpMethod method = request.method();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            return false;
        }
        String uri = request.uri();
        int end = uri.indexOf('?');
        String path = end < 0 ? uri : uri.substring(0, end);
        return path.equals("/health") || path.equals("/ui") || path.startsWith("/ui/");
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest request, String reason) {
        events.authenticationRefused(reason);
        String client = host(ctx.channel().remoteAddress());
        if (logged.shouldAct(client)) {
            LOG.warn("HTTP API: refused a request from {} ({} bearer token); further refusals of that address"
                    + " are counted in cluster_mode_http_auth_refusals_total, not logged, for a minute", client, reason);
        }
        Answers.send(ctx, request, ApiAnswer.error(401, reason.equals("missing")
                ? "this API needs a bearer token: send Authorization: Bearer <token>"
                : "the bearer token is not the right one").with("WWW-Authenticate", "Bearer"), false);
    }

    private static String host(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }
}
