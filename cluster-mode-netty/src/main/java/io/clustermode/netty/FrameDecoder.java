package io.clustermode.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Splits the stream into frames: a u32 length, then that many bytes. Until the handshake is
 * done, frames are held to {@link #HANDSHAKE_LIMIT}, so a connection that has not said who it
 * is cannot make this node buffer {@code maxFrameBytes}. Also remembers whether the stream
 * ended in the middle of a frame. Event-loop confined, like every handler.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {

    /** The largest handshake frame: a hello or reply is under 2 KiB; the rest is room for later versions. */
    static final int HANDSHAKE_LIMIT = 16 << 10;

    private final int maxFrameBytes;
    private boolean handshakeDone;
    private int bytesLeftAtEnd;

    /** @param maxFrameBytes the largest frame, length prefix excluded */
    FrameDecoder(int maxFrameBytes) {
        // Netty's limit counts the length prefix too.
        super(maxFrameBytes + 4, 0, 4, 0, 4, true);
        this.maxFrameBytes = maxFrameBytes;
    }

    /** From now on frames may be as large as the maximum. */
    void handshakeDone() {
        handshakeDone = true;
    }

    /** Bytes of an incomplete frame the stream ended with; 0 when it ended on a frame boundary. */
    int bytesLeftAtEnd() {
        return bytesLeftAtEnd;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (in.readableBytes() >= 4) {
            // Checked here rather than by Netty, for a message that says which limit it broke.
            long length = in.getUnsignedInt(in.readerIndex());
            int limit = handshakeDone ? maxFrameBytes : Math.min(HANDSHAKE_LIMIT, maxFrameBytes);
            if (length > limit) {
                // The connection is closed for this; nothing after it is worth reading.
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException((handshakeDone ? "frame of " : "handshake frame of ") + length
                        + " bytes exceeds the limit of " + limit);
            }
        }
        return super.decode(ctx, in);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        bytesLeftAtEnd = in.readableBytes();
    }
}
