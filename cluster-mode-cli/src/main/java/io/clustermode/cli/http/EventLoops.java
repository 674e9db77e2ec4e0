package io.clustermode.cli.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loops of the HTTP API (its server and its forwarding client), and of anything else
 * that wants the same: Linux's epoll through Netty's native transport where it loads, the JDK's
 * selector (NIO) elsewhere. Under many small requests epoll costs less CPU per request (no
 * selected-key set to rebuild, fewer system calls per wake-up), and on the two cores a node
 * often shares, every microsecond of it is throughput. A group and the channels on it must
 * agree: the channel classes here follow the group they are given.
 */
public final class EventLoops {

    /** Set to {@code true} to use NIO even where epoll would load (to compare, or to rule it out). */
    public static final String NIO_PROPERTY = "cluster-mode.http.nio";

    private static final boolean EPOLL = !Boolean.getBoolean(NIO_PROPERTY) && Epoll.isAvailable();

    private EventLoops() {
    }

    /** Whether epoll is in use; false means NIO. */
    public static boolean epoll() {
        return EPOLL;
    }

    /** What {@link #epoll()} says, for a log line: {@code epoll} or {@code nio}, and why not epoll. */
    public static String describe() {
        if (EPOLL) {
            return "epoll";
        }
        if (Boolean.getBoolean(NIO_PROPERTY)) {
            return "nio (-D" + NIO_PROPERTY + "=true)";
        }
        Throwable why = Epoll.unavailabilityCause();
        return "nio (epoll unavailable: " + (why == null ? "unknown" : why.getMessage()) + ")";
    }

    /** A group of {@code threads} daemon event loops named {@code name-N}. */
    public static EventLoopGroup group(int threads, String name) {
        IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
    }

    /** The listening channel class for {@code group}: epoll's for a group of epoll loops, else NIO's. */
    public static Class<? extends ServerChannel> serverChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The connecting channel class for {@code group}: epoll's for a group of epoll loops, else NIO's. */
    public static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Whether {@code group}'s loops run epoll (a group made elsewhere may run NIO: its channels must too). */
    private static boolean isEpoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
    }
}
