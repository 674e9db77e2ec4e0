package io.clustermode.netty;

import io.clustermode.codec.Handshake;
import io.clustermode.codec.HandshakeProof;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.codec.MalformedInputException;
import io.clustermode.codec.MessageCodec;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.transport.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The accepting side of one connection: answers the handshake, then decodes messages and hands
 * them to the transport. Anything it does not accept closes this connection only, with a WARN
 * naming the peer and the reason. Event-loop confined.
 *
 * <p>Who the peer is gets settled before any message is read: with mutual TLS its certificate
 * must name the node id it claims; with a cluster secret it must answer this node's challenge
 * (see {@link ClusterSecret}). Until then nothing about this node's membership is told, and the
 * handshake timeout keeps running.
 */
final class InboundHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    private final NettyTransport transport;
    private final FrameDecoder frames;
    private final NodeId self;
    /** The hello, once it passed the version, cluster and certificate checks. */
    private Handshake hello;
    private byte[] challengeNonce;
    /** The authenticated peer: set once messages may flow. */
    private NodeId peer;
    private ScheduledFuture<?> handshakeTimeout;
    /** This side decided to close and has said why; later events add nothing. */
    private boolean closing;

    InboundHandler(NettyTransport transport, FrameDecoder frames) {
        this.transport = transport;
        this.frames = frames;
        this.self = transport.config().self();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long timeout = transport.config().connectTimeout().toMillis();
        handshakeTimeout = ctx.executor().schedule(
                () -> closeWithWarning(ctx, "no handshake within " + timeout + " ms"), timeout, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (closing) {
                return;
            }
            ByteBuffer bytes = frame.nioBuffer();
            if (peer != null) {
                onMessage(ctx, bytes);
            } else if (hello == null) {
                onHello(ctx, bytes);
            } else {
                onProof(ctx, bytes);
            }
        } finally {
            frame.release();
        }
    }

    private void onHello(ChannelHandlerContext ctx, ByteBuffer bytes) {
        Handshake received;
        try {
            received = Handshake.decode(bytes);
        } catch (MalformedInputException e) {
            closeWithWarning(ctx, "malformed handshake: " + e.getMessage());
            return;
        }
        NettyTransportConfig config = transport.config();
        String refusal = null;
        if (received.protocolVersion() != Handshake.PROTOCOL_VERSION) {
            refusal = "protocol version " + received.protocolVersion() + " is not supported (this node speaks "
                    + Handshake.PROTOCOL_VERSION + ")";
        } else if (!received.clusterName().equals(config.clusterName())) {
            refusal = "cluster '" + received.clusterName() + "' is not this node's cluster '"
                    + config.clusterName() + "'";
        } else if (!received.clusterId().isEmpty() && !transport.clusterId().isEmpty()
                && !received.clusterId().equals(transport.clusterId())) {
            refusal = "cluster id " + received.clusterId() + " is not this node's cluster id " + transport.clusterId()
                    + ": two clusters are named '" + config.clusterName() + "'";
        } else {
            refusal = CertificateIdentity.refusal(ctx.pipeline(), received.nodeId(),
                    config.tls() != null && config.tls().mutual());
        }
        if (refusal == null && config.secret() != null && received.nonce().length == 0) {
            refusal = "this node requires the cluster secret, and the connecting node has none";
        }
        if (refusal != null) {
            refuse(ctx, received.nodeId(), refusal);
            return;
        }
        hello = received;
        if (config.secret() == null) {
            accept(ctx);
            return;
        }
        challengeNonce = ClusterSecret.nonce();
        byte[] proof = config.secret().serverProof(config.clusterName(), hello.nodeId(), self, hello.nonce(),
                challengeNonce);
        ctx.writeAndFlush(Frames.frame(HandshakeReply.challenge(self, challengeNonce, proof).encode()))
                .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    private void onProof(ChannelHandlerContext ctx, ByteBuffer bytes) {
        HandshakeProof answer;
        try {
            answer = HandshakeProof.decode(bytes);
        } catch (MalformedInputException e) {
            refuse(ctx, hello.nodeId(), "no answer to the cluster secret challenge (" + e.getMessage() + ")");
            return;
        }
        NettyTransportConfig config = transport.config();
        byte[] expected = config.secret().clientProof(config.clusterName(), hello.nodeId(), self, hello.nonce(),
                challengeNonce);
        if (!ClusterSecret.matches(expected, answer.proof())) {
            refuse(ctx, hello.nodeId(), "failed the cluster secret challenge");
            return;
        }
        accept(ctx);
    }

    private void accept(ChannelHandlerContext ctx) {
        cancelTimeout();
        peer = hello.nodeId();
        if (!hello.clusterId().isEmpty()) {
            transport.peerNamedClusterId(peer, hello.clusterId());
        }
        transport.peerSaidHello(hello, ctx.channel().remoteAddress());
        frames.handshakeDone();
        long idle = transport.config().idleTimeout().toMillis();
        ctx.pipeline().addBefore("frames", "idle", new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS));
        ctx.writeAndFlush(Frames.frame(HandshakeReply.accept(self, transport.describeSelf(peer)).encode()))
                .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        log.debug("{}: accepted connection from {}", self, who(ctx));
        transport.inboundReady(ctx.channel());
        transport.peerConnectedToUs(peer);
    }

    /** Tells the peer why, closes, and counts; logged at most once a minute per remote host. */
    private void refuse(ChannelHandlerContext ctx, NodeId claimed, String reason) {
        closing = true;
        cancelTimeout();
        transport.countRefusedHandshake();
        String remote = HostPort.format(ctx.channel().remoteAddress());
        transport.logRateLimited(HostPort.hostOf(ctx.channel().remoteAddress()),
                () -> log.warn("{}: refused connection from {} ({}): {}", self, claimed, remote, reason));
        ctx.writeAndFlush(Frames.frame(HandshakeReply.refuse(self, reason).encode()))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void onMessage(ChannelHandlerContext ctx, ByteBuffer bytes) {
        if (!bytes.hasRemaining()) {
            return; // a keep-alive: the peer is there, with nothing to say
        }
        Message message;
        try {
            message = MessageCodec.decode(bytes);
        } catch (MalformedInputException e) {
            closeWithWarning(ctx, "malformed frame: " + e.getMessage());
            return;
        }
        // The handshake said who is speaking; a message that claims otherwise is not delivered.
        if (!message.from().equals(peer)) {
            closeWithWarning(ctx, "a message from " + message.from() + " on the connection of " + peer);
            return;
        }
        if (!message.to().equals(self)) {
            closeWithWarning(ctx, "a message for " + message.to() + ", not for this node");
            return;
        }
        transport.deliver(message);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && !closing) {
            // Not a fault of ours or an attack: a peer that went away without closing (its
            // keep-alives would have kept the connection otherwise).
            closing = true;
            log.info("{}: closing connection from {}: no frame for {} ms", self, who(ctx),
                    transport.config().idleTimeout().toMillis());
            ctx.close();
            return;
        }
        if (event instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess() && !closing) {
            // The SslHandler closes the connection itself.
            closing = true;
            cancelTimeout();
            log.warn("{}: TLS handshake with {} failed: {}", self, who(ctx), Frames.describe(completion.cause()));
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closing) {
            return;
        }
        switch (Frames.kind(cause)) {
            case PROTOCOL, TLS -> closeWithWarning(ctx, Frames.describe(cause));
            case NETWORK -> {
                closing = true;
                log.debug("{}: connection from {} broke: {}", self, who(ctx), Frames.describe(cause));
                ctx.close();
            }
            case UNEXPECTED -> {
                closing = true;
                log.warn("{}: closing connection from {} after an unexpected error", self, who(ctx), cause);
                ctx.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (!closing) {
            if (frames.bytesLeftAtEnd() > 0) {
                log.warn("{}: {} closed the connection in the middle of a frame ({} bytes of it arrived)", self,
                        who(ctx), frames.bytesLeftAtEnd());
            } else {
                log.debug("{}: connection from {} closed", self, who(ctx));
            }
        }
        ctx.fireChannelInactive();
    }

    private void closeWithWarning(ChannelHandlerContext ctx, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        cancelTimeout();
        String who = who(ctx);
        if (peer == null) {
            // Before the handshake anyone can send anything: counted, and logged at most once a
            // minute per remote host, so that nobody can flood the log.
            transport.countRefusedHandshake();
            transport.logRateLimited(HostPort.hostOf(ctx.channel().remoteAddress()),
                    () -> log.warn("{}: closing connection from {}: {}", self, who, reason));
        } else {
            log.warn("{}: closing connection from {}: {}", self, who, reason);
        }
        ctx.close();
    }

    private void cancelTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
            handshakeTimeout = null;
        }
    }

    private String who(ChannelHandlerContext ctx) {
        String address = HostPort.format(ctx.channel().remoteAddress());
        return peer == null ? address : peer + " (" + address + ")";
    }
}
