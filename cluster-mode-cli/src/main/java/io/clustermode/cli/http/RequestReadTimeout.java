package io.clustermode.cli.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Cuts off a client that sends its request slowly, or not at all: a slow client holds a
 * connection, never a thread, and only for this long.
 *
 * <p>The clock runs only while the server waits for the client: from the moment the
 * connection is ready for a request (opened, or its last answer written) until the request's
 * headers are in, and again from the headers until the last byte of the body. Trickling bytes
 * does not restart it. While the server owes answers it is stopped: how long an answer takes
 * is the API's request timeout, not this one.
 *
 * <p>When it runs out, a connection on which any byte of a request arrived (or that never
 * carried a request) is answered 408 and closed; an idle kept-alive connection is closed
 * without an answer, since a client may be sending its next request at that very moment and
 * would take a 408 for the answer to it.
 *
 * <p>Sits right after the HTTP codec, so it sees requests and their ends as they arrive and
 * answers as they leave. One per connection.
 *
 * <p>The clock is a deadline, checked by one timer: starting and stopping it only move the
 * deadline, and the timer, when it fires, looks again at the deadline then in force (as
 * Netty's {@code IdleStateHandler} does). A busy kept-alive connection starts and stops the
 * clock twice per request; scheduling and cancelling a task each time cost the event loop a
 * few percent of its time in the priority queue of scheduled tasks.
 */
public final class RequestReadTimeout extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private final HttpServerEvents events;
    /** The pending check; null when none is scheduled. */
    private ScheduledFuture<?> timer;
    /** When the clock runs out (on the event loop's ticker); meaningful only while {@link #running}. */
    private long deadline;
    private boolean running;
    /** An HttpRequest was read and its last content not yet. */
    private boolean inRequest;
    private long requestsRead;
    private long answersWritten;
    /** Bytes arrived since the connection became ready, before a request could be decoded. */
    private boolean bytesWhileWaiting;
    /** The current read brought a decoded message (so its bytes were not a stalled beginning). */
    private boolean decodedThisRead;

    /** A timeout of {@code timeout}; events reports each cut-off. */
    public RequestReadTimeout(Duration timeout, HttpServerEvents events) {
        this.timeoutNanos = timeout.toNanos();
        this.events = events;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            ready(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!running) {
            ready(ctx);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        decodedThisRead = true;
        if (msg instanceof HttpRequest) {
            inRequest = true;
            start(ctx); // the body gets its own allowance from its headers
        }
        if (msg instanceof LastHttpContent) {
            inRequest = false;
            requestsRead++;
            if (owesAnswers()) {
                stop();
            } else {
                ready(ctx); // answered early (401, 413): now waiting for the next request
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        // A read that decoded nothing brought the first bytes of a request that is not complete yet.
        if (running && !inRequest && !decodedThisRead) {
            bytesWhileWaiting = true;
        }
        decodedThisRead = false;
        super.channelReadComplete(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (Answers.endsAnswer(msg)) {
            answersWritten++;
            if (!owesAnswers()) {
                ready(ctx);
            }
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private boolean owesAnswers() {
        return !inRequest && requestsRead > answersWritten;
    }

    private void ready(ChannelHandlerContext ctx) {
        bytesWhileWaiting = false;
        start(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        deadline = ctx.executor().ticker().nanoTime() + timeoutNanos;
        running = true;
        if (timer == null) {
            schedule(ctx, timeoutNanos);
        }
    }

    private void stop() {
        running = false; // the pending check, if any, finds the clock stopped
    }

    /** The connection is gone: no check is left scheduled. */
    private void cancel() {
        running = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (!running) {
            return; // scheduled again when the clock starts
        }
        long left = deadline - ctx.executor().ticker().nanoTime();
        if (left > 0) {
            schedule(ctx, left); // started again since this check was scheduled
            return;
        }
        expired(ctx);
    }

    private void expired(ChannelHandlerContext ctx) {
        running = false;
        Channel channel = ctx.channel();
        if (!channel.isActive() || owesAnswers()) {
            return;
        }
        events.readTimedOut();
        boolean outputOpen = !(channel instanceof DuplexChannel duplex) || !duplex.isOutputShutdown();
        if ((inRequest || bytesWhileWaiting || answersWritten == 0) && outputOpen) {
            Answers.send(ctx, null, ApiAnswer.error(408, "the request did not arrive within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"), true);
        } else {
            ctx.close();
        }
    }
}
