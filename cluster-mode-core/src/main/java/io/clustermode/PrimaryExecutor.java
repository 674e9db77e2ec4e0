package io.clustermode;

import io.clustermode.runtime.NodeRuntime;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Runs work only while this node is primary (see {@link Cluster#primaryExecutor()}): one
 * thread per term of primacy; losing primacy interrupts the running task and drops the queued
 * ones. Safe to use from any thread.
 */
public final class PrimaryExecutor {

    private final NodeId self;
    private final NodeRuntime runtime;
    private ExecutorService current;
    private long term;

    PrimaryExecutor(NodeId self, NodeRuntime runtime) {
        this.self = self;
        this.runtime = runtime;
    }

    /**
     * Runs {@code task} while this node is primary.
     *
     * @throws NotPrimaryException when this node is not primary now
     */
    public synchronized <T> Future<T> submit(Callable<T> task) {
        if (current == null) {
            throw new NotPrimaryException(self, null);
        }
        return current.submit(task);
    }

    /** As {@link #submit(Callable)}, for work without a result. */
    public Future<?> submit(Runnable task) {
        return submit(() -> {
            task.run();
            return null;
        });
    }

    /** The term of the current primacy — the fencing token to give outside resources; empty when not primary. */
    public synchronized java.util.OptionalLong fencingToken() {
        return current == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(term);
    }

    synchronized void becamePrimary(long newTerm) {
        lostPrimacy();
        term = newTerm;
        current = runtime.newSerialExecutor("cluster-mode-" + self + "-primary-" + newTerm);
    }

    synchronized void lostPrimacy() {
        if (current != null) {
            current.shutdownNow();
            current = null;
        }
    }
}
