package io.clustermode.cli.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.nio.charset.StandardCharsets;

/**
 * Writes the body of an open answer ({@link StreamBody}) in chunks, from any thread.
 *
 * <p>A client that does not read cannot make the server hold more than one connection's
 * write buffer (Netty's high water mark, 64 KiB by default): a write that finds the connection
 * not writable closes it instead of queueing more. A client that wants the rest reconnects
 * (Server-Sent Events resume where they stopped).
 */
public final class StreamWriter {

    private final ChannelHandlerContext ctx;

    StreamWriter(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Sends {@code text} as one chunk. Returns false, and closes the connection, when the client
     * has not taken what was sent before (or the connection is gone): then nothing more will be
     * sent.
     */
    public boolean write(String text) {
        if (!ctx.channel().isActive()) {
            return false;
        }
        if (!ctx.channel().isWritable()) {
            ctx.close();
            return false;
        }
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
        return true;
    }

    /** Whether the connection is still open. */
    public boolean isOpen() {
        return ctx.channel().isActive();
    }

    /** Runs {@code action} once when the connection closes (at once when it already has). */
    public void onClose(Runnable action) {
        ctx.channel().closeFuture().addListener(closed -> action.run());
    }

    /** Ends the answer and closes the connection. */
    public void close() {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(done -> ctx.close());
        }
    }

    /** The client's address, for logs. */
    public String remote() {
        return String.valueOf(ctx.channel().remoteAddress());
    }
}
