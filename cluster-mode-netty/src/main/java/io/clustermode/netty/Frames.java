package io.clustermode.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;

/** Framing and the wording of failures for logs. */
final class Frames {

    private Frames() {
    }

    /** A frame around {@code payload}: its u32 length, then the bytes. */
    static ByteBuf frame(byte[] payload) {
        return Unpooled.wrappedBuffer(Unpooled.copyInt(payload.length), Unpooled.wrappedBuffer(payload));
    }

    /** What kind of failure a throwable is, for choosing a log level. */
    enum Kind {
        /** The peer went away or cannot be reached: expected in a cluster, logged without a stack trace. */
        NETWORK,
        /** The peer sent bytes this node does not accept: WARN. */
        PROTOCOL,
        /** TLS failed, usually a certificate that is not trusted: WARN. */
        TLS,
        /** Anything else: a bug somewhere, logged with its stack trace. */
        UNEXPECTED
    }

    static Kind kind(Throwable cause) {
        // Bounded, in case of a cycle of causes.
        Throwable t = cause;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof TooLongFrameException || t instanceof CorruptedFrameException) {
                return Kind.PROTOCOL;
            }
            if (t instanceof SSLException || t instanceof SslHandshakeTimeoutException) {
                return Kind.TLS;
            }
        }
        if (cause instanceof IOException) {
            return Kind.NETWORK;
        }
        return Kind.UNEXPECTED;
    }

    /** A one-line description of {@code cause}, without the exception class noise where it adds nothing. */
    static String describe(Throwable cause) {
        Throwable t = cause;
        // Netty wraps decoding failures; the interesting part is inside.
        while (t instanceof DecoderException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TooLongFrameException) {
            return "oversized frame: " + t.getMessage();
        }
        if (t instanceof CorruptedFrameException) {
            return "corrupted frame: " + t.getMessage();
        }
        if (t instanceof NotSslRecordException) {
            return "TLS failed: the peer does not speak TLS";
        }
        if (t instanceof SSLException || t instanceof SslHandshakeTimeoutException) {
            return "TLS failed: " + t.getMessage();
        }
        if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
            // Netty appends the address to the message; keep only the reason.
            String message = String.valueOf(t.getMessage());
            int colon = message.indexOf(':');
            return colon > 0 ? message.substring(0, colon) : message;
        }
        if (t instanceof UnknownHostException) {
            // The JDK words a cached failure differently from a fresh one; keep only the name.
            String message = String.valueOf(t.getMessage());
            int colon = message.indexOf(':');
            return "unknown host " + (colon > 0 ? message.substring(0, colon) : message);
        }
        if (t instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (t instanceof IOException && t.getMessage() != null) {
            return t.getMessage();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
