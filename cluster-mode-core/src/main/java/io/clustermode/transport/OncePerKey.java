package io.clustermode.transport;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Says yes at most once per key per interval: logs an attacker cannot flood. One throttle for
 * every refusal log of a node — its runtime (per peer), its transport (per remote host) and its
 * HTTP API (per client address). Remembers at most
 * {@value #MAX_KEYS} keys; when more arrive it forgets them all (a flood from many addresses
 * then logs a line per address at most once per interval still, and memory stays bounded).
 * Thread-safe.
 */
public final class OncePerKey {

    static final int MAX_KEYS = 10_000;

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Long> last = new ConcurrentHashMap<>();

    /** Once per {@code interval}, on the system's monotonic clock. */
    public OncePerKey(Duration interval) {
        this(interval, System::nanoTime);
    }

    /** Once per {@code interval}, on {@code nanoTime} (for tests). */
    public OncePerKey(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Whether to act for {@code key} now (then not again within the interval). */
    public boolean shouldAct(String key) {
        long now = nanoTime.getAsLong();
        if (last.size() >= MAX_KEYS && !last.containsKey(key)) {
            last.clear();
        }
        boolean[] act = {false};
        last.compute(key, (k, previous) -> {
            if (previous == null || now - previous >= intervalNanos) {
                act[0] = true;
                return now;
            }
            return previous;
        });
        return act[0];
    }
}
