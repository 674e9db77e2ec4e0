package io.clustermode.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code --kv-max-bytes}: how many bytes of keys and values the key-value store accepts. A
 * write that does not fit is answered 507 and never proposed, so the node does not run out of
 * heap because clients write.
 *
 * <h2>Where it is enforced, and why replicas cannot diverge</h2>
 * On the node that takes the HTTP write (the primary, or a secondary that hands it to the
 * primary), before proposing: a write fits when the bytes its copy of the store holds now, plus
 * the bytes of the writes it proposed and has not yet applied (reserved here), plus its own
 * bytes stay within the limit. The state machine ({@link io.clustermode.kv.KvStore#apply})
 * never refuses a write for its size, so every replica applies the same log to the same map:
 * the check only decides what enters the log. (The alternative — the limit inside each command,
 * applied deterministically — would also keep replicas equal, but a refused write would still
 * travel through the log and occupy it; refusing before proposing costs nothing.)
 *
 * <p>What it bounds, and what not: a write is counted in full even when it replaces a value (a
 * full store takes deletes first). Each node knows only its own writes in flight, so with
 * writes arriving at several nodes at once the store may exceed the limit by what the others
 * have in flight (at most their request timeout's worth), and a secondary's copy may lag the
 * primary's by what it has not applied yet. Give every node the same limit. The Raft log keeps
 * the entries since the last snapshot (taken every 10,000 entries) in memory besides the map;
 * that is the core's to bound, not this limit's.
 */
final class KvQuota {

    /** The default limit when the heap allows it: 256 MiB. */
    static final long DEFAULT_MAX_BYTES = 256L << 20;

    private final long maxBytes;
    private final AtomicLong reserved = new AtomicLong();

    KvQuota(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the limit must be positive, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** 256 MiB, or a quarter of {@code maxHeapBytes} when that is less. */
    static long defaultFor(long maxHeapBytes) {
        return Math.min(DEFAULT_MAX_BYTES, Math.max(1, maxHeapBytes / 4));
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Bytes of writes proposed and not yet applied. */
    long reserved() {
        return reserved.get();
    }

    /**
     * Reserves {@code bytes} for a write while {@code stored} bytes are in the store; null when
     * it does not fit. Release the reservation once the write is applied or failed.
     */
    Reservation reserve(long bytes, long stored) {
        while (true) {
            long now = reserved.get();
            if (stored + now + bytes > maxBytes || stored + now + bytes < 0) {
                return null;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return new Reservation(bytes);
            }
        }
    }

    /** Bytes held for one write until it is applied (or failed). */
    final class Reservation {
        private final long bytes;
        private final AtomicBoolean released = new AtomicBoolean();

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        /** Gives the bytes back; only the first call counts. */
        void release() {
            if (released.compareAndSet(false, true)) {
                reserved.addAndGet(-bytes);
            }
        }
    }
}
