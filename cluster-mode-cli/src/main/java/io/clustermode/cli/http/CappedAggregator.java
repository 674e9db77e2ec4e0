package io.clustermode.cli.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator with a size cap whose refusals are the API's JSON: a body larger than
 * the cap — announced by its Content-Length, or found while the chunks of a body without one
 * arrive — is answered 413 at once, and the rest of it is dropped as it arrives, never
 * buffered. The connection stays open for the next request when the client asked for
 * keep-alive, since the codec still knows where the oversized body ends. One per connection.
 *
 * <p>A request without a body (a GET, most of the API's traffic after writes) skips the
 * aggregation: the codec passes its head and then an empty last chunk, and this joins the two
 * into a full request with an empty body at once, without the composite buffer, the aggregated
 * wrapper and the header rewrite that Netty's aggregation costs per request.
 */
public final class CappedAggregator extends HttpObjectAggregator {

    private final int maxContentBytes;
    /** The head of a request without a body, until its (empty) last chunk arrives. */
    private HttpRequest bodiless;

    /** Bodies up to {@code maxContentBytes}. */
    public CappedAggregator(int maxContentBytes) {
        super(maxContentBytes);
        this.maxContentBytes = maxContentBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (bodiless != null) {
            HttpRequest head = bodiless;
            bodiless = null;
            if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
                last.release();
                ctx.fireChannelRead(new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                        Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE));
                return;
            }
            // Not what the codec sends after a head without a body; aggregate as usual.
            super.channelRead(ctx, head);
        } else if (msg instanceof HttpRequest request && !(msg instanceof HttpContent) && withoutBody(request)) {
            bodiless = request;
            return;
        }
        super.channelRead(ctx, msg);
    }

    /**
     * Whether {@code request} announces no body: no Transfer-Encoding, no Content-Length (or 0),
     * no Expect (whose answer the aggregation writes).
     */
    private static boolean withoutBody(HttpRequest request) {
        HttpHeaders headers = request.headers();
        if (!request.decoderResult().isSuccess() || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                || headers.contains(HttpHeaderNames.EXPECT)) {
            return false;
        }
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null || length.equals("0");
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest request) {
            Answers.send(ctx, request, tooLarge(), false);
        } else {
            ctx.close();
        }
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        // Netty's refusals of an "Expect: 100-continue" request have empty bodies; ours are JSON.
        if (answer instanceof FullHttpResponse response && response.status().code() >= 400) {
            int status = response.status().code();
            ReferenceCountUtil.release(answer);
            ApiAnswer json = status == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code() ? tooLarge()
                    : ApiAnswer.error(status, "unsupported expectation: " + start.headers().get("Expect"));
            return Answers.response(json, start.protocolVersion(), false);
        }
        return answer;
    }

    private ApiAnswer tooLarge() {
        return ApiAnswer.error(413, "the body is larger than " + maxContentBytes + " bytes");
    }
}
