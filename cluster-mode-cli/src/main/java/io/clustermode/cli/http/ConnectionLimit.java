package io.clustermode.cli.http;

import io.netty.channel.Channel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the connections open at once. A connection beyond the cap is closed at once, before a
 * byte of it is read: the open ones keep their share of the event loops, and a flood of
 * connections costs the server an accept and a close each. Thread-safe; one per server.
 */
public final class ConnectionLimit {

    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    /** A cap of {@code max} connections. */
    public ConnectionLimit(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
        this.max = max;
    }

    /**
     * Counts {@code channel} as open until it closes, and returns true; or returns false, counting
     * nothing, when {@code max} connections are open already. The caller closes a refused channel.
     */
    public boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return false;
        }
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        return true;
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }
}
