package io.clustermode.netty;

import io.clustermode.codec.Handshake;
import io.clustermode.codec.HandshakeProof;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.codec.MalformedInputException;
import io.clustermode.NodeId;
import io.clustermode.transport.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The connecting side of one connection attempt: sends the handshake, waits for the answer,
 * and then only watches the connection, which carries messages one way. It tells its
 * {@link Owner} how the attempt went, exactly once for its end; the owner does the logging.
 * Event-loop confined.
 */
final class OutboundHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    /** Who started the attempt. Called on the channel's event loop. */
    interface Owner {

        /** The remote node accepted the handshake; messages may be written from now on. */
        void onAccepted(Channel channel, HandshakeReply reply);

        /**
         * The attempt is over: it never connected, was refused, or the connection broke.
         *
         * @param reason  why, in a few words
         * @param refused whether the remote node turned this one down (another cluster or
         *                version, a wrong node at the address, TLS not trusted): retrying soon
         *                will not help
         */
        void onClosed(String reason, boolean refused);

        /** The channel can take writes again after it could not. */
        default void onWritable() {
        }
    }

    private final NettyTransport transport;
    private final NodeId expected;
    private final Owner owner;
    private ScheduledFuture<?> handshakeTimeout;
    private byte[] nonce = new byte[0];
    /** The accepting node's cluster-secret challenge, once answered; then its verdict is awaited. */
    private HandshakeReply challenge;
    private boolean accepted;
    private String failure;
    private boolean refused;
    private boolean reported;

    /**
     * @param expected the node that should answer at the address; null to accept whichever does
     */
    OutboundHandler(NettyTransport transport, NodeId expected, Owner owner) {
        this.transport = transport;
        this.expected = expected;
        this.owner = owner;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        NettyTransportConfig config = transport.config();
        long timeout = config.connectTimeout().toMillis();
        handshakeTimeout = ctx.executor().schedule(
                () -> fail(ctx, "no handshake reply within " + timeout + " ms", false), timeout, TimeUnit.MILLISECONDS);
        if (config.secret() != null) {
            nonce = ClusterSecret.nonce();
        }
        // With TLS, the SslHandler holds this until its own handshake is done.
        ctx.writeAndFlush(Frames.frame(Handshake.current(config.clusterName(), config.self(), nonce,
                        transport.clusterId(), transport.helloAddress()).encode()))
                .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (failure != null) {
                return;
            }
            if (accepted) {
                fail(ctx, "unexpected data after the handshake", true);
                return;
            }
            onReply(ctx, frame);
        } finally {
            frame.release();
        }
    }

    private void onReply(ChannelHandlerContext ctx, ByteBuf frame) {
        HandshakeReply reply;
        try {
            reply = HandshakeReply.decode(frame.nioBuffer());
        } catch (MalformedInputException e) {
            fail(ctx, "malformed handshake reply (" + e.getMessage() + ")", true);
            return;
        }
        if (!reply.accepted()) {
            fail(ctx, "refused by " + reply.nodeId() + ": " + reply.refusal(), true);
            return;
        }
        if (challenge != null) {
            onVerdict(ctx, reply);
            return;
        }
        String refusal = identityRefusal(ctx, reply);
        if (refusal != null) {
            fail(ctx, refusal, true);
            return;
        }
        NettyTransportConfig config = transport.config();
        if (config.secret() == null) {
            if (reply.isChallenge()) {
                fail(ctx, reply.nodeId() + " requires the cluster secret, and this node has none", true);
                return;
            }
            succeed(ctx, reply);
            return;
        }
        byte[] expected = reply.isChallenge() ? config.secret().serverProof(config.clusterName(), config.self(),
                reply.nodeId(), nonce, reply.nonce()) : null;
        if (expected == null || !ClusterSecret.matches(expected, reply.proof())) {
            fail(ctx, reply.nodeId() + " does not prove the cluster secret"
                    + (expected == null ? " (it has none)" : " (it has another)"), true);
            return;
        }
        challenge = reply;
        byte[] proof = config.secret().clientProof(config.clusterName(), config.self(), reply.nodeId(), nonce,
                reply.nonce());
        ctx.writeAndFlush(Frames.frame(new HandshakeProof(proof).encode()))
                .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    /** Why the node that answered is not the one this side may talk to; null when it is. */
    private String identityRefusal(ChannelHandlerContext ctx, HandshakeReply reply) {
        if (expected != null && !expected.equals(reply.nodeId())) {
            return "the node at this address is " + reply.nodeId() + ", not " + expected;
        }
        NettyTransportConfig config = transport.config();
        String certificate = CertificateIdentity.refusal(ctx.pipeline(), reply.nodeId(),
                config.tls() != null && config.tls().mutual());
        return certificate == null ? null : reply.nodeId() + " cannot be trusted: " + certificate;
    }

    /** The accepting node's second answer, after it checked this node's proof. */
    private void onVerdict(ChannelHandlerContext ctx, HandshakeReply verdict) {
        if (!verdict.nodeId().equals(challenge.nodeId()) || verdict.isChallenge()) {
            fail(ctx, "a second challenge, or a verdict from another node than " + challenge.nodeId(), true);
            return;
        }
        succeed(ctx, verdict);
    }

    private void succeed(ChannelHandlerContext ctx, HandshakeReply reply) {
        accepted = true;
        cancelTimeout();
        // An empty frame when nothing else went out for a third of the peer's idle timeout: a
        // follower's connection to another follower carries nothing between elections.
        long keepAlive = Math.max(10, transport.config().idleTimeout().toMillis() / 3);
        ctx.pipeline().addBefore("outbound", "keep-alive", new IdleStateHandler(0, keepAlive, 0, TimeUnit.MILLISECONDS));
        owner.onAccepted(ctx.channel(), reply);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && accepted && failure == null) {
            ctx.writeAndFlush(Frames.frame(new byte[0])).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            return;
        }
        if (event instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess()) {
            fail(ctx, Frames.describe(completion.cause()), true);
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Frames.Kind kind = Frames.kind(cause);
        if (kind == Frames.Kind.UNEXPECTED && failure == null) {
            log.warn("{}: unexpected error on the connection to {}", transport.config().self(),
                    HostPort.format(ctx.channel().remoteAddress()), cause);
        }
        fail(ctx, Frames.describe(cause), kind == Frames.Kind.TLS || kind == Frames.Kind.PROTOCOL);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (accepted && ctx.channel().isWritable()) {
            owner.onWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** The connect itself failed: nothing was ever active. */
    void connectFailed(Throwable cause) {
        if (failure == null) {
            failure = Frames.describe(cause);
        }
        report();
    }

    /** The channel is closed, for whatever reason was recorded first. */
    void closed() {
        cancelTimeout();
        if (failure == null) {
            failure = accepted ? "connection closed by the peer" : "connection closed during the handshake";
        }
        report();
    }

    private void report() {
        if (!reported) {
            reported = true;
            owner.onClosed(failure, refused);
        }
    }

    private void fail(ChannelHandlerContext ctx, String reason, boolean refusal) {
        if (failure == null) {
            failure = reason;
            refused = refusal;
        }
        cancelTimeout();
        ctx.close();
    }

    private void cancelTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
            handshakeTimeout = null;
        }
    }
}
