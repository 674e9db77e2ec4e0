package io.clustermode.spring;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs of the methods that run on grant ({@link GrantRuns}): one at a time per method and bean,
 * so a grant's run and a tick never overlap; and a grant's run only when no run of the method
 * started under that grant yet, so the method runs once at the grant, not twice. Thread-safe.
 */
final class OneRunAtATime {

    /** A method on one bean: the target by identity (its own equals may say anything). */
    private static final class Key {
        private final Object target;
        private final Method method;

        Key(Object target, Method method) {
            this.target = target;
            this.method = method;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.target == target && key.method.equals(method);
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(target) + method.hashCode();
        }
    }

    /** Who runs the method now (null when nobody), and the grant the last run of it started under. Guarded by itself. */
    private static final class Slot {
        Thread runner;
        int depth;
        long lastGrant = PrimaryRuns.NONE;
    }

    private final Map<Key, Slot> slots = new ConcurrentHashMap<>();

    /**
     * Starts a run of {@code method} on {@code target} under grant number {@code grant}
     * ({@link PrimaryRuns#grantNumber()}), on the calling thread.
     *
     * @param grantRun whether this is a grant's run, which is not needed once a run under the grant started
     * @return why the run must be skipped; null when it goes on (then {@link #exit} it)
     */
    String enter(Object target, Method method, long grant, boolean grantRun) {
        Slot slot = slots.computeIfAbsent(new Key(target, method), key -> new Slot());
        synchronized (slot) {
            Thread me = Thread.currentThread();
            if (slot.runner != null && slot.runner != me) {
                return "a run of it is in progress on " + slot.runner.getName();
            }
            if (grantRun && slot.lastGrant == grant) {
                return "a tick ran it since primacy was granted";
            }
            slot.runner = me;
            slot.depth++; // the same thread again: a call from within the run
            slot.lastGrant = grant;
            return null;
        }
    }

    /** Ends a run {@link #enter} let go on. */
    void exit(Object target, Method method) {
        Slot slot = slots.get(new Key(target, method));
        synchronized (slot) {
            if (--slot.depth == 0) {
                slot.runner = null;
            }
        }
    }
}
