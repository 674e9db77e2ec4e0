package io.clustermode.cli.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;

import java.util.ArrayDeque;

/**
 * Reports every final answer with its request's method to {@link HttpServerEvents#answered},
 * including those the pipeline writes itself (400, 401, 408, 413, 431). Answers leave in the
 * order of the requests ({@link OneRequestAtATime}), so the methods are matched first in,
 * first out; an answer without a request (a 408 on a silent connection) counts as {@code OTHER}.
 *
 * <p>Sits right after the codec. One per connection.
 */
public final class AnswerCounter extends ChannelDuplexHandler {

    /** Bounded: a pipelining client cannot make it grow past what one read holds. */
    private final ArrayDeque<String> methods = new ArrayDeque<>();
    private final HttpServerEvents events;

    /** Reports to {@code events}. */
    public AnswerCounter(HttpServerEvents events) {
        this.events = events;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest request) {
            methods.add(request.method().name());
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            String method = methods.poll();
            events.answered(method == null ? "OTHER" : method, response.status().code());
        }
        super.write(ctx, msg, promise);
    }
}
