package io.clustermode.cli.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * Passes on one request at a time and holds back the next until the answer to the current
 * one is written, because HTTP/1.1 answers must leave in the order the requests came, and the
 * API answers asynchronously. A client that pipelines is not read from while it waits
 * (reading stops), so what is held is at most what one read brought in.
 *
 * <p>Sits after the codec, before the handlers that answer. One per connection.
 */
public final class OneRequestAtATime extends ChannelDuplexHandler {

    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private boolean answering;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!held.isEmpty() || (answering && msg instanceof HttpRequest)) {
            held.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        pass(ctx, msg);
    }

    private void pass(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            answering = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean ends = Answers.endsAnswer(msg);
        super.write(ctx, msg, promise);
        if (ends) {
            answering = false;
            if (!held.isEmpty()) {
                // Later, not from inside this write: the next request may be answered at once, and
                // its answer must follow this one out.
                ctx.executor().execute(() -> release(ctx));
            }
        }
    }

    private void release(ChannelHandlerContext ctx) {
        while (!held.isEmpty() && !(answering && held.peek() instanceof HttpRequest)) {
            pass(ctx, held.poll());
        }
        if (held.isEmpty() && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
        super.channelInactive(ctx);
    }
}
