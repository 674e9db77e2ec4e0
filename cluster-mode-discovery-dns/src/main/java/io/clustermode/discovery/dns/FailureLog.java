package io.clustermode.discovery.dns;

import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Logs each distinct failure at WARN once, not at every poll: the caller polls discovery every
 * update interval, and the same "name does not exist" every few seconds would bury everything
 * else in the log. A success forgets the failures seen, so a failure that comes back later is
 * logged again, and the recovery itself is logged at INFO.
 *
 * <p>Thread-safe. The warnings logged are kept (a few) for the tests, which then need no
 * logging backend to check what an operator would see.
 */
final class FailureLog {

    private static final int KEPT = 32;

    private final Logger log;
    private final Set<String> active = new LinkedHashSet<>();
    private final List<String> logged = new ArrayList<>();

    FailureLog(Logger log) {
        this.log = log;
    }

    /** Logs {@code message} at WARN unless it was logged since the last success. */
    synchronized void failed(String message) {
        if (active.add(message)) {
            log.warn(message);
            if (logged.size() == KEPT) {
                logged.remove(0);
            }
            logged.add(message);
        }
    }

    /** Notes a success; logs {@code recovered} at INFO when failures were logged before it. */
    synchronized void succeeded(String recovered) {
        if (!active.isEmpty()) {
            active.clear();
            log.info(recovered);
        }
    }

    /** The warnings logged so far, oldest first (the last {@value #KEPT}). */
    synchronized List<String> warnings() {
        return List.copyOf(logged);
    }
}
