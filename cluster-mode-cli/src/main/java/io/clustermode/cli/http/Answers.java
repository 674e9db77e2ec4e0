package io.clustermode.cli.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/** Writing {@link ApiAnswer}s on a connection, keeping it alive when the request allows. */
final class Answers {

    private Answers() {
    }

    /**
     * Writes {@code answer} to {@code request} (null when no request could be read; then the
     * connection is closed). The connection stays open when the request asked for keep-alive
     * and {@code close} is false.
     */
    static ChannelFuture send(ChannelHandlerContext ctx, HttpRequest request, ApiAnswer answer, boolean close) {
        boolean keepAlive = !close && request != null && HttpUtil.isKeepAlive(request);
        HttpVersion version = request == null ? HttpVersion.HTTP_1_1 : request.protocolVersion();
        boolean head = request != null && HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response = response(answer, version, head);
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        return written;
    }

    /**
     * Writes the head of an open answer ({@link ApiAnswer#stream}): chunked, not cached, and the
     * connection closed when it ends. Its body follows through a {@link StreamWriter}.
     */
    static void open(ChannelHandlerContext ctx, HttpRequest request, ApiAnswer answer) {
        HttpResponse response = new DefaultHttpResponse(request.protocolVersion(),
                HttpResponseStatus.valueOf(answer.status()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        answer.headers().forEach((name, value) -> response.headers().set(name, value));
        HttpUtil.setKeepAlive(response, false);
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        ctx.writeAndFlush(response);
    }

    /** {@code answer} as a Netty response; for a HEAD request without the body, but with its length. */
    static FullHttpResponse response(ApiAnswer answer, HttpVersion version, boolean head) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(answer.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        answer.headers().forEach((name, value) -> response.headers().set(name, value));
        HttpUtil.setContentLength(response, answer.body().length);
        return response;
    }

    /** Whether {@code msg}, written, ends an answer (a final one: not {@code 100 Continue}). */
    static boolean endsAnswer(Object msg) {
        if (!(msg instanceof LastHttpContent)) {
            return false;
        }
        return !(msg instanceof HttpResponse response)
                || response.status().codeClass() != HttpStatusClass.INFORMATIONAL;
    }
}
