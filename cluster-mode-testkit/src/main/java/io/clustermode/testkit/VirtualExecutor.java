package io.clustermode.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A node's executor or scheduler in a {@link ClusterSimulation}: what a thread of its own would
 * run, run on the test's thread when {@link VirtualTime} says — one task at a time, in the order
 * given (or, {@code inline}, at once in the caller). {@link #shutdownNow()} drops the queued tasks
 * and interrupts the running one at its next deterministic point: a wait
 * ({@link VirtualRuntime#await}) throws {@link InterruptedException}. Code that never waits cannot
 * be interrupted (it runs to its end in one instant), as on a thread it would run on regardless.
 */
final class VirtualExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualExecutor.class);

    /** A task running now, innermost last (a task that waits lets others run above it). */
    private static final class Running {
        final VirtualExecutor executor;
        boolean interrupted;

        Running(VirtualExecutor executor) {
            this.executor = executor;
        }
    }

    private static final ThreadLocal<Deque<Running>> RUNNING = ThreadLocal.withInitial(ArrayDeque::new);

    private final VirtualRuntime runtime;
    private final String name;
    private final boolean inline;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private Running running;
    private boolean shutdown;

    VirtualExecutor(VirtualRuntime runtime, String name, boolean inline) {
        this.runtime = runtime;
        this.name = name;
        this.inline = inline;
    }

    /** Whether the innermost running task was asked to stop. */
    static boolean interruptRequested() {
        Running top = RUNNING.get().peekLast();
        return top != null && top.interrupted;
    }

    /** Whether the innermost running task was asked to stop; clears the request. */
    static boolean takeInterrupt() {
        Running top = RUNNING.get().peekLast();
        if (top == null || !top.interrupted) {
            return false;
        }
        top.interrupted = false;
        return true;
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException(name + " is shut down");
        }
        if (inline) {
            runOne(task);
            return;
        }
        queue.add(task);
        runtime.post(0, this::runNext);
    }

    private void runNext() {
        if (running != null || queue.isEmpty()) {
            return; // a task of this executor is waiting further down: the rest wait for it
        }
        runOne(queue.poll());
        if (!queue.isEmpty()) {
            runtime.post(0, this::runNext);
        }
    }

    private void runOne(Runnable task) {
        Running entry = new Running(this);
        Running outer = running;
        running = entry;
        Deque<Running> stack = RUNNING.get();
        stack.addLast(entry);
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // As an executor's thread would: the task is over, the executor goes on.
            LOG.warn("{}: a task threw: {}", name, e.toString());
        } finally {
            stack.removeLastOccurrence(entry);
            running = outer;
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> dropped = new ArrayList<>(queue);
        queue.clear();
        if (running != null) {
            running.interrupted = true;
        }
        return dropped;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && queue.isEmpty() && running == null;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    // ------------------------------------------------------------------ the scheduler's part

    /** A task due at a virtual instant; {@code period} 0: once, else >0 fixed rate, <0 fixed delay. */
    private final class Timed<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
        private long at;
        private final long period;

        Timed(Callable<V> callable, long at) {
            super(callable);
            this.at = at;
            this.period = 0;
        }

        Timed(Runnable runnable, long at, long period) {
            super(runnable, null);
            this.at = at;
            this.period = period;
        }

        @Override
        public boolean isPeriodic() {
            return period != 0;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - runtime.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public void run() {
            if (!isPeriodic()) {
                super.run();
            } else if (super.runAndReset() && !shutdown) {
                at = period > 0 ? at + period : runtime.nanoTime() - period;
                arm(this);
            }
        }
    }

    /** When the task is due, it joins this executor's queue (unless cancelled or shut down meanwhile). */
    private void arm(Timed<?> task) {
        runtime.post(task.at - runtime.nanoTime(), () -> {
            if (!shutdown && !task.isCancelled()) {
                queue.add(task);
                runNext();
            }
        });
    }

    private <V> Timed<V> start(Timed<V> task) {
        if (shutdown) {
            throw new RejectedExecutionException(name + " is shut down");
        }
        arm(task);
        return task;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return start(new Timed<>(command, runtime.nanoTime() + unit.toNanos(delay), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return start(new Timed<>(callable, runtime.nanoTime() + unit.toNanos(delay)));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        requirePositive(period);
        return start(new Timed<>(command, runtime.nanoTime() + unit.toNanos(initialDelay), unit.toNanos(period)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        requirePositive(delay);
        return start(new Timed<>(command, runtime.nanoTime() + unit.toNanos(initialDelay), -unit.toNanos(delay)));
    }

    private static void requirePositive(long period) {
        if (period <= 0) {
            throw new IllegalArgumentException("the period must be positive, was " + period);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
