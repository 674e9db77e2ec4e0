package io.clustermode.cli.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers what the codec could not parse — garbage bytes, a bad request line, oversized
 * headers, a broken chunk — with a JSON error (400, 414 or 431) and closes the connection
 * (the codec cannot find the next request after a bad one). Everything that follows on that
 * connection is dropped. One per connection; sits before authentication, since a request
 * that cannot be read cannot be authenticated either.
 */
public final class MalformedRequests extends ChannelInboundHandlerAdapter {

    private static final int MAX_DETAIL = 200;

    private boolean failed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof DecoderResultProvider provider && provider.decoderResult().isFailure()) {
            failed = true;
            Throwable cause = provider.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            Answers.send(ctx, null, answer(cause), true);
            return;
        }
        super.channelRead(ctx, msg);
    }

    /** The answer to a request the codec failed on with {@code cause}. */
    static ApiAnswer answer(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return ApiAnswer.error(431, "the request headers are too large");
        }
        if (cause instanceof TooLongHttpLineException) {
            return ApiAnswer.error(414, "the request line is too long");
        }
        String detail = String.valueOf(cause.getMessage());
        if (detail.length() > MAX_DETAIL) {
            detail = detail.substring(0, MAX_DETAIL) + "...";
        }
        return ApiAnswer.error(400, "malformed HTTP request: " + detail);
    }
}
