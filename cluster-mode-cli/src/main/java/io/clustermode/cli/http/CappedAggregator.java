package io.clustermode.cli.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator with a size cap whose refusals are the API's JSON: a body larger than
 * the cap — announced by its Content-Length, or found while the chunks of a body without one
 * arrive — is answered 413 at once, and the rest of it is dropped as it arrives, never
 * buffered. The connection stays open for the next request when the client asked for
 * keep-alive, since the codec still knows where the oversized body ends. One per connection.
 */
public final class CappedAggregator extends HttpObjectAggregator {

    private final int maxContentBytes;

    /** Bodies up to {@code maxContentBytes}. */
    public CappedAggregator(int maxContentBytes) {
        super(maxContentBytes);
        this.maxContentBytes = maxContentBytes;
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
