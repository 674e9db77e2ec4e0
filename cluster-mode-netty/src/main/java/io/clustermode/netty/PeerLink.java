package io.clustermode.netty;

import io.clustermode.codec.HandshakeReply;
import io.clustermode.NodeId;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbound side of one peer: its bounded queue of encoded frames, and the one connection
 * that carries them, re-established with exponential backoff for as long as the peer is in the
 * peer map.
 *
 * <h2>Threading</h2>
 * {@link #offer} and the counters may be used from any thread. Everything else runs on the
 * peer's own event loop, which is also the loop of its channel, so the connection state needs
 * no locks. Each connection attempt has a generation; callbacks of an older attempt are
 * ignored.
 */
final class PeerLink {

    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    final NodeId id;
    private final NettyTransport transport;
    private final NodeId self;
    private final EventLoop loop;
    private final LinkedBlockingQueue<byte[]> queue;
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** The handshake is done and frames may be written; read by senders. */
    private volatile boolean ready;

    // Confined to the event loop.
    private String address;
    private long generation;
    private Channel channel;
    private int failures;
    private String lastReason;
    private ScheduledFuture<?> reconnect;
    private boolean removed;
    /** The peer connected to us while our own attempt was in flight. */
    private boolean peerSeenUp;

    PeerLink(NettyTransport transport, NodeId id, EventLoop loop, String address) {
        this.transport = transport;
        this.id = id;
        this.self = transport.config().self();
        this.loop = loop;
        this.address = address;
        // Linked, not an array: a large bound costs nothing until it is used.
        this.queue = new LinkedBlockingQueue<>(transport.config().maxQueuedMessagesPerPeer());
        this.maxQueuedBytes = transport.config().maxQueuedBytesPerPeer();
    }

    // ------------------------------------------------------------------ any thread

    /** Queues one encoded frame; false, and counted as dropped, when the queue is full. */
    boolean offer(byte[] frame) {
        if (queuedBytes.addAndGet(frame.length) > maxQueuedBytes) {
            queuedBytes.addAndGet(-frame.length);
            dropped.incrementAndGet();
            return false;
        }
        if (!queue.offer(frame)) {
            queuedBytes.addAndGet(-frame.length);
            dropped.incrementAndGet();
            return false;
        }
        // When not ready, the drain after the handshake picks the frame up: ready is set
        // before that drain, and the frame was queued before ready was read here.
        if (ready && drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drain);
            } catch (RejectedExecutionException closing) {
                // The transport closed meanwhile: what was queued is dropped with it.
                return false;
            }
        }
        return true;
    }

    /** Whether a frame would be dropped now; lets the sender skip encoding. */
    boolean isFull() {
        return queue.remainingCapacity() == 0 || queuedBytes.get() >= maxQueuedBytes;
    }

    void countDrop() {
        dropped.incrementAndGet();
    }

    long dropped() {
        return dropped.get();
    }

    int queued() {
        return queue.size();
    }

    boolean isReady() {
        return ready;
    }

    /** Starts connecting. */
    void start() {
        loop.execute(this::connect);
    }

    /** Moves to another address: drops the current connection and connects to the new one at once. */
    void updateAddress(String newAddress) {
        loop.execute(() -> {
            if (removed || newAddress.equals(address)) {
                return;
            }
            log.info("{}: {} moved from {} to {}", self, id, address, newAddress);
            address = newAddress;
            abandonConnection();
            failures = 0;
            lastReason = null;
            connect();
        });
    }

    /** The peer left the peer map: stop connecting, close, forget what was queued. */
    void remove() {
        loop.execute(() -> {
            removed = true;
            abandonConnection();
            queue.clear();
            queuedBytes.set(0);
        });
    }

    /** Drops the current connection, if any, and connects anew at once. */
    void reconnectNow() {
        loop.execute(() -> {
            if (removed || transport.isClosed()) {
                return;
            }
            log.info("{}: {} ({}) stopped answering; connecting anew", self, id, address);
            abandonConnection();
            connect();
        });
    }

    /**
     * The peer just connected to us, so it is up again: if this side is waiting out a backoff
     * (which may be seconds long after a restart), connect now. Without this a restarted node
     * can send to us but not hear our answers until our backoff ends.
     */
    void peerCameBack() {
        loop.execute(() -> {
            if (removed || transport.isClosed() || ready) {
                return;
            }
            failures = 0;
            if (reconnect == null) {
                // An attempt is in flight. It may have started before the peer was up and be
                // refused; then it is retried at once (see onClosed). Not abandoned here: two
                // peers doing that to each other could go on forever.
                peerSeenUp = true;
                return;
            }
            log.debug("{}: {} ({}) connected to us; connecting back at once", self, id, address);
            reconnect.cancel(false);
            connect();
        });
    }

    // ------------------------------------------------------------------ event loop

    private void abandonConnection() {
        generation++;
        ready = false;
        if (reconnect != null) {
            reconnect.cancel(false);
            reconnect = null;
        }
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void connect() {
        reconnect = null;
        if (removed || transport.isClosed()) {
            return;
        }
        long attempt = ++generation;
        ChannelFuture future;
        try {
            future = startAttempt(attempt);
        } catch (RuntimeException e) {
            // Without this, the peer would never be retried.
            onClosed(attempt, Frames.describe(e), false);
            return;
        }
        // The attempt may already have failed, synchronously, inside connect().
        if (attempt == generation) {
            channel = future.channel();
        }
    }

    private ChannelFuture startAttempt(long attempt) {
        return transport.connect(loop, address, id, new OutboundHandler.Owner() {
            @Override
            public void onAccepted(Channel ch, HandshakeReply reply) {
                PeerLink.this.onAccepted(attempt, ch);
            }

            @Override
            public void onClosed(String reason, boolean refused) {
                PeerLink.this.onClosed(attempt, reason, refused);
            }

            @Override
            public void onWritable() {
                if (attempt == generation) {
                    drain();
                }
            }
        });
    }

    private void onAccepted(long attempt, Channel ch) {
        if (attempt != generation) {
            ch.close();
            return;
        }
        channel = ch;
        failures = 0;
        peerSeenUp = false;
        lastReason = null;
        log.info("{}: connected to {} ({})", self, id, address);
        ready = true;
        drain();
    }

    private void onClosed(long attempt, String reason, boolean refused) {
        if (attempt != generation) {
            return;
        }
        generation++;
        channel = null;
        boolean wasReady = ready;
        ready = false;
        if (removed || transport.isClosed()) {
            return;
        }
        failures++;
        long delay = refused ? transport.config().reconnectBackoffMax().toMillis()
                : peerSeenUp ? 1 : backoff(failures);
        peerSeenUp = false;
        boolean news = wasReady || !reason.equals(lastReason);
        lastReason = reason;
        if (wasReady) {
            log.info("{}: lost connection to {} ({}): {}; reconnecting in {} ms", self, id, address, reason, delay);
        } else if (refused && news) {
            log.warn("{}: {} ({}) refused the connection: {}; retrying in {} ms", self, id, address, reason, delay);
        } else if (news) {
            log.info("{}: cannot connect to {} ({}): {}; retrying in {} ms", self, id, address, reason, delay);
        } else {
            log.debug("{}: still cannot connect to {} ({}): {}; retrying in {} ms", self, id, address, reason,
                    delay);
        }
        if (news) {
            // Once per outage and reason: the listener wants a hint, not a retry counter.
            transport.peerUnreachable(id, reason);
        }
        reconnect = loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** The delay before attempt {@code failures + 1}: doubling from the minimum, up to the maximum, less up to 20% jitter. */
    private long backoff(int failures) {
        long min = transport.config().reconnectBackoffMin().toMillis();
        long max = transport.config().reconnectBackoffMax().toMillis();
        long base = min;
        for (int i = 1; i < failures && base < max; i++) {
            base *= 2;
        }
        base = Math.min(base, max);
        // Jitter keeps nodes that lost a peer together from reconnecting in lockstep.
        long delay = base - ThreadLocalRandom.current().nextLong(base / 5 + 1);
        return Math.max(1, Math.max(delay, Math.min(min, base)));
    }

    /** Writes queued frames while the channel takes them; the water marks decide when it stops. */
    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        if (!ready || ch == null) {
            return;
        }
        boolean wrote = false;
        while (ch.isWritable()) {
            byte[] frame = queue.poll();
            if (frame == null) {
                break;
            }
            queuedBytes.addAndGet(-frame.length);
            ch.write(Unpooled.wrappedBuffer(frame), ch.voidPromise());
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }
}
