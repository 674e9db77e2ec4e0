package io.clustermode.spring;

import io.clustermode.ClusterRole;
import io.clustermode.ClusterStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The book of {@link PrimaryOnly} runs: whether they may run now (the term granted to the
 * application), which are in progress on which thread, and their interruption when primacy ends.
 *
 * <p>Two sources must agree before a run starts. The grant comes from the cluster's role events
 * (the same that become {@link PrimaryGrantedEvent}s), delivered in order on the cluster's
 * notification thread; the node's status is read at the call. The events alone would let a run
 * start in the moment between the node losing primacy and the event arriving; the status alone
 * would let a run start after the loss was announced, when the status of that turn is not yet
 * published, and then no one would interrupt it. A status of a term below the grant's is older
 * than the grant and says nothing against it.
 *
 * <p>Thread-safe: one lock guards the grant and the runs, so a run registered under a grant is
 * interrupted by the revocation of that grant, and a run registered after it never starts.
 */
final class PrimaryRuns {

    static final long NONE = -1;

    private final Supplier<ClusterStatus> status;
    private final Object lock = new Object();
    private final Set<Run> active = new LinkedHashSet<>();
    private final ThreadLocal<Run> current = new ThreadLocal<>();
    private long granted = NONE;
    /** How many grants took effect; the number of the one in effect while {@link #granted} is set. */
    private long grants;
    private boolean closed;

    PrimaryRuns(Supplier<ClusterStatus> status) {
        this.status = status;
    }

    /** One run of a {@link PrimaryOnly} method on one thread. */
    static final class Run {
        final Thread thread;
        final long token;
        /** The number of the grant it started under ({@link #grantNumber()}): a term can be granted twice. */
        final long grant;
        final Run outer;
        /** Set (under the lock) when primacy ended during the run and its thread was interrupted. */
        boolean interrupted;

        Run(Thread thread, long token, long grant, Run outer) {
            this.thread = thread;
            this.token = token;
            this.grant = grant;
            this.outer = outer;
        }
    }

    /**
     * Starts a run on the calling thread when this node is primary now.
     *
     * @return the run, to be ended with {@link #end}; null when the call must be skipped
     */
    Run begin() {
        ClusterStatus now = status.get();
        synchronized (lock) {
            if (granted == NONE || !agrees(now, granted)) {
                return null;
            }
            Run run = new Run(Thread.currentThread(), granted, grants, current.get());
            active.add(run);
            current.set(run);
            return run;
        }
    }

    /** Ends {@code run}; clears the interrupt its revocation caused, once the outermost run ends. */
    void end(Run run) {
        synchronized (lock) {
            active.remove(run);
            if (run.interrupted) {
                if (run.outer == null) {
                    Thread.interrupted();
                } else {
                    run.outer.interrupted = true; // the flag stays for the outer run, which clears it
                }
            }
            lock.notifyAll();
        }
        if (run.outer == null) {
            current.remove();
        } else {
            current.set(run.outer);
        }
    }

    /** The run in progress on this thread, if any. */
    Run current() {
        return current.get();
    }

    /** Runs may start in {@code term} from now on (when the node's status agrees). */
    void grant(long term) {
        synchronized (lock) {
            if (closed || granted == term) {
                return;
            }
            interruptAll();
            granted = term;
            grants++;
        }
    }

    /** No run may start any more in the granted term; runs in progress are interrupted. */
    void revoke() {
        synchronized (lock) {
            granted = NONE;
            interruptAll();
        }
    }

    /** As {@link #revoke()}, for good: later grants are ignored (the context is closing). */
    void close() {
        synchronized (lock) {
            closed = true;
            granted = NONE;
            interruptAll();
        }
    }

    /** The term in which runs may start; {@link #NONE} when none may. */
    long granted() {
        synchronized (lock) {
            return granted;
        }
    }

    /**
     * The number of the grant in effect, counting every grant that took effect (the same term
     * granted again after a revocation is another grant); {@link #NONE} when none is.
     */
    long grantNumber() {
        synchronized (lock) {
            return granted == NONE ? NONE : grants;
        }
    }

    /** Whether {@code token} is the term granted now and the node's status agrees. */
    boolean isCurrent(long token) {
        ClusterStatus now = status.get();
        synchronized (lock) {
            return token != NONE && granted == token && agrees(now, token);
        }
    }

    /**
     * Waits until no run is in progress on any thread but the caller's.
     *
     * @return the threads of the runs still in progress after {@code timeout}; empty when none
     */
    List<Thread> awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                List<Thread> busy = new ArrayList<>();
                for (Run run : active) {
                    if (run.thread != Thread.currentThread() && !busy.contains(run.thread)) {
                        busy.add(run.thread);
                    }
                }
                long left = deadline - System.nanoTime();
                if (busy.isEmpty() || left <= 0) {
                    return busy;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private void interruptAll() {
        for (Run run : active) {
            if (!run.interrupted) {
                run.interrupted = true;
                run.thread.interrupt();
            }
        }
    }

    /**
     * Whether the node's status allows a run in {@code term}: it is primary in that term, or its
     * term is older than the grant (a status from before the change; the node publishes its status
     * before it announces a change, so this is a guard, not an expected case). A stopped node
     * allows nothing.
     */
    private static boolean agrees(ClusterStatus status, long term) {
        if (!status.running()) {
            return false;
        }
        return status.term() < term || (status.term() == term && status.role() == ClusterRole.PRIMARY);
    }
}
