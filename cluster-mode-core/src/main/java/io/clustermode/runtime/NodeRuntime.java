package io.clustermode.runtime;

import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where one node's clock, threads and randomness come from: the seam between a node
 * ({@code Cluster}, {@link RaftNode}, primary-only work, partition work, health checks, the
 * membership reconciler) and what runs it.
 *
 * <p>{@link #threads()} is what every real node uses: {@link System#nanoTime()}, a daemon
 * thread per executor, the event loop on a thread of its own — exactly the threads a node had
 * before this seam existed. The testkit supplies another, in which every task and every turn of
 * the event loop runs on the test's thread, in an order decided by a seeded scheduler, on
 * virtual time: the same seed gives the same run.
 *
 * <p>Internal: exported only to the project's own modules. Implementations must be safe to call
 * from any thread the node's work runs on.
 */
public interface NodeRuntime {

    /** Real time and real threads: what a node runs on outside tests. */
    static NodeRuntime threads() {
        return Threads.INSTANCE;
    }

    /** The node's clock, as {@link System#nanoTime()}: only differences mean anything. */
    long nanoTime();

    /** A seed for the node's own randomness (election timeouts, request ids). */
    long randomSeed();

    /**
     * An executor that runs one task at a time, in the order given, named {@code name};
     * {@link ExecutorService#shutdownNow()} interrupts the running task and drops the queued ones.
     */
    ExecutorService newSerialExecutor(String name);

    /** A scheduler that runs one task at a time, named {@code name}. */
    ScheduledExecutorService newScheduler(String name);

    /** An executor with a thread per task when needed (work that may hang, such as a health check). */
    ExecutorService newPool(String name);

    /** Runs {@code task} once, {@code delayNanos} from now, on some thread of the runtime's. */
    void schedule(long delayNanos, Runnable task);

    /**
     * Waits for {@code future} at most {@code timeout}, as {@link Future#get(long, TimeUnit)}
     * does. A runtime without threads of its own lets time and other work go on meanwhile.
     */
    <T> T await(Future<T> future, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException;

    /**
     * Whether this runtime turns event loops itself ({@link EventLoop#turn()}) rather than giving
     * each a thread ({@link EventLoop#runOnThisThread()}); a driven loop ends on the thread that
     * closes its node.
     */
    boolean drivesLoops();

    /** Runs a node's event loop from now on; called once per node. */
    void startLoop(String name, EventLoop loop);

    /**
     * A node's event loop as the runtime sees it. With threads, {@link #runOnThisThread()} is the
     * whole loop: it waits for input and the next tick itself, until the node stops. A runtime that
     * drives the loop instead calls {@link #turn()} whenever {@link #hasWork()} or the time
     * {@link #wakeAt()} has come, and stops once {@link #running()} is false.
     */
    interface EventLoop {

        /** The loop on the calling thread: returns once the node has stopped. */
        void runOnThisThread();

        /** One turn: takes what is queued, ticks for the time that passed, carries out the result. */
        void turn();

        /** Whether input is queued. */
        boolean hasWork();

        /** When (on {@link #nanoTime()}) the loop must turn next even without input. */
        long wakeAt();

        /** False once the node has stopped: no more turns. */
        boolean running();
    }

    /** The production runtime. */
    final class Threads implements NodeRuntime {

        static final Threads INSTANCE = new Threads();

        private Threads() {
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long randomSeed() {
            return new SecureRandom().nextLong();
        }

        @Override
        public ExecutorService newSerialExecutor(String name) {
            return Executors.newSingleThreadExecutor(daemon(name));
        }

        @Override
        public ScheduledExecutorService newScheduler(String name) {
            return Executors.newSingleThreadScheduledExecutor(daemon(name));
        }

        @Override
        public ExecutorService newPool(String name) {
            return Executors.newCachedThreadPool(daemon(name));
        }

        @Override
        public void schedule(long delayNanos, Runnable task) {
            CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS).execute(task);
        }

        @Override
        public <T> T await(Future<T> future, long timeout, TimeUnit unit)
                throws InterruptedException, ExecutionException, TimeoutException {
            return future.get(timeout, unit);
        }

        @Override
        public boolean drivesLoops() {
            return false;
        }

        @Override
        public void startLoop(String name, EventLoop loop) {
            Thread thread = new Thread(loop::runOnThisThread, name);
            thread.setDaemon(true);
            thread.start();
        }

        private static java.util.concurrent.ThreadFactory daemon(String name) {
            return runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                return thread;
            };
        }
    }
}
