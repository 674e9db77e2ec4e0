package io.clustermode.runtime;

import io.clustermode.raft.NodeId;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logs at most once per interval per peer, so that a faulty or hostile peer cannot flood the
 * log. Remembers at most {@code maxPeers} peers (the least recent are forgotten), so unknown ids
 * cannot grow memory. Confined to one thread.
 */
final class RateLimitedLog {

    private final long intervalNanos;
    private final Map<NodeId, Long> lastLogged;

    RateLimitedLog(long intervalNanos, int maxPeers) {
        this.intervalNanos = intervalNanos;
        this.lastLogged = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<NodeId, Long> eldest) {
                return size() > maxPeers;
            }
        };
    }

    /** Runs {@code logLine} unless something was logged for {@code peer} within the interval. */
    void log(NodeId peer, Runnable logLine) {
        long now = System.nanoTime();
        Long last = lastLogged.get(peer);
        if (last == null || now - last >= intervalNanos) {
            lastLogged.put(peer, now);
            logLine.run();
        }
    }
}
