package io.clustermode;

import io.clustermode.runtime.NodeRuntime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A node's health checks ({@link Cluster#addHealthCheck}), run every
 * {@link ClusterConfig#healthCheckInterval()}; the combined result (all pass) goes to the node's
 * Raft core, which gates primacy on it.
 *
 * <p>One daemon thread schedules the rounds and reports. The checks themselves run on daemon
 * worker threads, one per check at most: a check that hangs must still count as failing once the
 * interval has passed, which a round that ran it inline could never report. A check still
 * running from an earlier round is not started again; it fails until it returns.
 */
final class HealthChecks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);

    private final NodeId self;
    private final Duration interval;
    private final Consumer<Boolean> report;
    private final Map<String, Check> checks = new ConcurrentSkipListMap<>();
    private ScheduledExecutorService scheduler;
    private ExecutorService workers;
    private volatile boolean closed;

    private static final class Check {
        final BooleanSupplier supplier;
        Future<Boolean> running;
        /** Why it failed last, or null when it passed (or never ran): logged when this changes. */
        String failure;

        Check(BooleanSupplier supplier) {
            this.supplier = supplier;
        }
    }

    private final NodeRuntime runtime;

    HealthChecks(NodeId self, Duration interval, Consumer<Boolean> report, NodeRuntime runtime) {
        this.self = self;
        this.runtime = runtime;
        this.interval = interval;
        this.report = report;
    }

    /** Adds a check; the first one starts the thread. */
    synchronized void add(String name, BooleanSupplier check) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(check, "check");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a health check's name must not be blank");
        }
        if (closed) {
            throw new ClusterClosedException(self + " is shut down");
        }
        if (checks.putIfAbsent(name, new Check(check)) != null) {
            throw new IllegalArgumentException("node " + self + " already has a health check named '" + name + "'");
        }
        if (scheduler == null) {
            scheduler = runtime.newScheduler("cluster-mode-" + self + "-health");
            workers = runtime.newPool("cluster-mode-" + self + "-health-check");
            long nanos = interval.toNanos();
            scheduler.scheduleAtFixedRate(this::round, 0, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Removes a check; false when there was none of that name. */
    boolean remove(String name) {
        Check removed = checks.remove(name);
        if (removed != null && removed.running != null) {
            removed.running.cancel(true);
        }
        return removed != null;
    }

    /** One round: start every check, wait for them until the interval has passed, report whether all passed. */
    private void round() {
        try {
            long deadline = runtime.nanoTime() + interval.toNanos();
            for (Check check : checks.values()) {
                if (check.running == null || check.running.isDone()) {
                    BooleanSupplier supplier = check.supplier;
                    check.running = workers.submit(supplier::getAsBoolean);
                }
            }
            boolean allPass = true;
            for (Map.Entry<String, Check> e : checks.entrySet()) {
                String failure = outcome(e.getValue().running, deadline);
                if (Thread.currentThread().isInterrupted()) {
                    return; // closing: this round says nothing
                }
                note(e.getKey(), e.getValue(), failure);
                allPass &= failure == null;
            }
            if (!closed) {
                report.accept(allPass);
            }
        } catch (RuntimeException e) {
            // Never let the schedule die: a round that cannot run is retried at the next interval.
            LOG.warn("node {}: a health-check round failed: {}", self, e.toString());
        }
    }

    /** Why the check's run failed; null when it passed by the deadline. */
    private String outcome(Future<Boolean> running, long deadline) {
        if (running == null) {
            return "never ran";
        }
        try {
            long wait = Math.max(0, deadline - runtime.nanoTime());
            return Boolean.TRUE.equals(runtime.await(running, wait, TimeUnit.NANOSECONDS)) ? null : "returned false";
        } catch (TimeoutException e) {
            return "takes longer than the check interval (" + interval.toMillis() + " ms)";
        } catch (ExecutionException e) {
            return "threw " + e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return "was cancelled";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Logs a check's change, once: failing with the reason, or passing again. */
    private void note(String name, Check check, String failure) {
        if (Objects.equals(failure, check.failure)) {
            return;
        }
        if (failure != null) {
            LOG.warn("node {}: health check '{}' fails: {}", self, name, failure);
        } else {
            LOG.info("node {}: health check '{}' passes again", self, name);
        }
        check.failure = failure;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
            workers.shutdownNow();
        }
    }
}
