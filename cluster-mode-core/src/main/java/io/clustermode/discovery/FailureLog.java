package io.clustermode.discovery;

import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Logs each distinct problem at WARN once, not at every poll: the caller polls discovery every
 * update interval, and the same "forbidden" every few seconds would bury everything else in the
 * log.
 * <ul>
 *   <li>{@link #failed} is for failures of a poll: a success forgets them (logged at INFO), so
 *       one that comes back later is logged again;</li>
 *   <li>{@link #noticed} is for problems that do not fail the poll (a slice without the
 *       transport port, a watch that cannot start): each is logged once for the life of the
 *       service, since successes around them say nothing about them.</li>
 * </ul>
 *
 * <p>Shared by the discovery implementations and the membership rounds. Thread-safe. The warnings logged are kept (a few) for the tests, which then need no
 * logging backend to check what an operator would see.
 */
public final class FailureLog {

    private static final int KEPT = 32;
    private static final int MAX_NOTICED = 256;

    private final Logger log;
    private final Set<String> active = new LinkedHashSet<>();
    private final Set<String> noticed = new LinkedHashSet<>();
    private final List<String> logged = new ArrayList<>();

    /** Logs to {@code log}. */
    public FailureLog(Logger log) {
        this.log = log;
    }

    /** Logs {@code message} at WARN unless it was logged since the last success. */
    public synchronized void failed(String message) {
        if (active.add(message)) {
            warn(message);
        }
    }

    /** Logs {@code message} at WARN unless it was ever logged by this method. */
    public synchronized void noticed(String message) {
        if (noticed.size() == MAX_NOTICED) {
            noticed.clear(); // bounded; repeating an old notice now and then is harmless
        }
        if (noticed.add(message)) {
            warn(message);
        }
    }

    /** Notes a success; logs {@code recovered} at INFO when failures were logged before it. */
    public synchronized void succeeded(String recovered) {
        if (!active.isEmpty()) {
            active.clear();
            log.info(recovered);
        }
    }

    /** The warnings logged so far, oldest first (the last {@value #KEPT}). */
    public synchronized List<String> warnings() {
        return List.copyOf(logged);
    }

    private void warn(String message) {
        log.warn(message);
        if (logged.size() == KEPT) {
            logged.remove(0);
        }
        logged.add(message);
    }
}
