package io.clustermode.testkit;

import io.clustermode.runtime.NodeRuntime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One node process's {@link NodeRuntime} in a {@link ClusterSimulation}: its clock is the
 * simulation's virtual time, its executors and event loop run on the test's thread when
 * {@link VirtualTime} says, and its randomness comes from the seed. A crash kills it: nothing it
 * planned runs any more. A pause holds everything it planned until the pause ends.
 */
final class VirtualRuntime implements NodeRuntime {

    private final VirtualTime time;
    private final long seed;
    private final java.util.function.Consumer<Boolean> afterTurn;
    private boolean alive = true;
    private long pausedUntil;

    /** {@code afterTurn} hears of each turn of the node's event loop: true when its timer, not input, was due. */
    VirtualRuntime(VirtualTime time, long seed, java.util.function.Consumer<Boolean> afterTurn) {
        this.time = time;
        this.seed = seed;
        this.afterTurn = afterTurn;
    }

    boolean alive() {
        return alive;
    }

    /** The process dies: its tasks, timers and loop stop here. */
    void kill() {
        alive = false;
    }

    long pausedUntil() {
        return pausedUntil;
    }

    void pauseUntil(long at) {
        pausedUntil = Math.max(pausedUntil, at);
    }

    void turned(boolean timer) {
        afterTurn.accept(timer);
    }

    VirtualTime time() {
        return time;
    }

    /** Runs {@code task} in this process, {@code delayNanos} from now. */
    void post(long delayNanos, Runnable task) {
        time.post(this, delayNanos, task);
    }

    @Override
    public long nanoTime() {
        return time.now();
    }

    @Override
    public long randomSeed() {
        return seed;
    }

    @Override
    public ExecutorService newSerialExecutor(String name) {
        return new VirtualExecutor(this, name, false);
    }

    @Override
    public ScheduledExecutorService newScheduler(String name) {
        return new VirtualExecutor(this, name, false);
    }

    /**
     * Runs each task at once, in the caller: a health check's round waits for its checks, and
     * nothing else could run them meanwhile. A check that never returns hangs the test.
     */
    @Override
    public ExecutorService newPool(String name) {
        return new VirtualExecutor(this, name, true);
    }

    @Override
    public void schedule(long delayNanos, Runnable task) {
        post(delayNanos, task);
    }

    /** Lets virtual time and every other task run on until {@code future} is done or the time is up. */
    @Override
    public <T> T await(Future<T> future, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        long wait = unit.toNanos(timeout);
        long deadline = time.now() + Math.min(wait, Long.MAX_VALUE / 2); // no overflow for "forever"
        time.runUntil(deadline, () -> future.isDone() || !alive || VirtualExecutor.interruptRequested());
        if (!alive || VirtualExecutor.takeInterrupt()) {
            throw new InterruptedException(alive ? "interrupted" : "the process died");
        }
        if (!future.isDone()) {
            throw new TimeoutException("not done within " + unit.toMillis(timeout) + " ms of virtual time");
        }
        return future.get();
    }

    @Override
    public boolean drivesLoops() {
        return true;
    }

    @Override
    public void startLoop(String name, EventLoop loop) {
        time.addLoop(this, loop);
    }
}
