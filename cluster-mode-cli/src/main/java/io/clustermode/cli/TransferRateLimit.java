package io.clustermode.cli;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Bounds {@code POST /cluster/transfer-leadership}, since every transfer costs the cluster a
 * moment without a primary: at most one transfer request in flight per node (the node a client
 * asked, and the primary a secondary forwarded to, each count theirs), and a primary starts at
 * most one transfer per election timeout. Requests beyond that are answered 429.
 *
 * <p>The pace is the primary's: a new primary may hand over again at once (a transfer moves
 * the rate to the next node), which keeps operators' sequential moves quick; the in-flight
 * bound keeps a client from piling them up. Thread-safe.
 */
final class TransferRateLimit {

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    /** When this node last started a transfer as primary; MIN_VALUE for never. */
    private final AtomicLong lastStart = new AtomicLong(Long.MIN_VALUE);

    TransferRateLimit(Duration interval) {
        this(interval, System::nanoTime);
    }

    TransferRateLimit(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Takes this node's one in-flight slot; false when a transfer request holds it. */
    boolean enter() {
        return inFlight.compareAndSet(false, true);
    }

    /** Gives the slot back. */
    void exit() {
        inFlight.set(false);
    }

    /**
     * As the primary, about to start a transfer: 0 when it may (and the time is taken), else the
     * nanoseconds until it may.
     */
    long startOrWait() {
        while (true) {
            long now = nanoTime.getAsLong();
            long last = lastStart.get();
            if (last != Long.MIN_VALUE && now - last < intervalNanos) {
                return intervalNanos - (now - last);
            }
            if (lastStart.compareAndSet(last, now)) {
                return 0;
            }
        }
    }
}
