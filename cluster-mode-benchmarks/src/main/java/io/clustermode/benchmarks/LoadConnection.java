package io.clustermode.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the load generator's connections: a kept-alive HTTP/1.1 connection with exactly one
 * request outstanding; the next request is written when the answer to the previous one has
 * been read. A connection that fails is opened again (after a short pause), so the load keeps
 * its number of requests in flight except while reconnecting.
 *
 * <p>Everything here runs on one event loop, the same for every channel this connection opens:
 * its counters need no synchronization, and {@link HttpLoadGenerator} reads them only after
 * that event loop has terminated.
 */
@ChannelHandler.Sharable
final class LoadConnection extends ChannelInboundHandlerAdapter {

    private static final long RECONNECT_PAUSE_MILLIS = 100;
    private static final long TIMEOUT_CHECK_MILLIS = 200;

    private final int index;
    private final LoadRun run;
    private final EventLoop loop;
    private final Bootstrap bootstrap;

    private Channel channel;
    private ScheduledFuture<?> timeoutCheck;
    private long sequence;
    /** When the outstanding request was written; 0 when none is outstanding. */
    private long sentAt;
    private int status;
    private boolean done;

    private long[] latencies = new long[1 << 12];
    private int ok;
    private final Map<String, Long> errors = new HashMap<>();

    LoadConnection(int index, LoadRun run, EventLoop loop, InetSocketAddress target) {
        this.index = index;
        this.run = run;
        this.loop = loop;
        LoadConnection self = this;
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .remoteAddress(target)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder(), self);
                    }
                });
    }

    /** Opens the connection; requests start as soon as it is up. Call from any thread. */
    void connect() {
        loop.execute(this::openChannel);
    }

    private void openChannel() {
        if (run.stopping()) {
            finish();
            return;
        }
        bootstrap.connect().addListener(f -> {
            if (!f.isSuccess()) {
                error("connection");
                loop.schedule(this::openChannel, RECONNECT_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        timeoutCheck = loop.scheduleAtFixedRate(this::checkTimeout, TIMEOUT_CHECK_MILLIS, TIMEOUT_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        sendNext();
    }

    private void sendNext() {
        if (run.stopping()) {
            channel.close();
            finish();
            return;
        }
        status = 0;
        sentAt = System.nanoTime();
        channel.writeAndFlush(Unpooled.wrappedBuffer(run.requests().request(index, sequence++)), channel.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
            // A FullHttpResponse is both: the status above, the end here.
            if (msg instanceof LastHttpContent && sentAt != 0) {
                answered(System.nanoTime());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answered(long now) {
        if (status < 200 || status > 299) {
            error(Integer.toString(status));
        } else if (run.inWindow(now)) {
            if (ok == latencies.length) {
                latencies = Arrays.copyOf(latencies, ok * 2);
            }
            latencies[ok++] = now - sentAt;
        }
        sentAt = 0;
        sendNext();
    }

    private void checkTimeout() {
        if (sentAt != 0 && System.nanoTime() - sentAt > run.timeoutNanos()) {
            error("timeout");
            sentAt = 0;
            channel.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a bad answer: counted in channelInactive, as any loss of the connection is.
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
        }
        if (sentAt != 0) {
            error("connection");
            sentAt = 0;
        }
        if (run.stopping()) {
            finish();
        } else {
            loop.schedule(this::openChannel, RECONNECT_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void error(String kind) {
        errors.merge(kind, 1L, Long::sum);
    }

    private void finish() {
        if (!done) {
            done = true;
            run.connectionDone();
        }
    }

    /** Closes the channel if it is still open (after the generator gave up waiting). */
    void close() {
        loop.execute(() -> {
            if (channel != null) {
                channel.close();
            }
        });
    }

    /** Latencies of the answers in the window, nanoseconds; read after the event loop ended. */
    long[] latencies() {
        return Arrays.copyOf(latencies, ok);
    }

    /** Errors by kind; read after the event loop ended. */
    Map<String, Long> errors() {
        return errors;
    }
}
