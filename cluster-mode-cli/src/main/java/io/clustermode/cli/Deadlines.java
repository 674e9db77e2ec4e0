package io.clustermode.cli;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Futures with a deadline, without blocking a thread while they wait. The deadlines share one
 * timer wheel (a daemon thread that ticks every 10 ms): setting and cancelling one is a queue
 * operation, where a scheduled task on an event loop would wake that loop twice per request.
 */
final class Deadlines {

    private static final HashedWheelTimer WHEEL = new HashedWheelTimer(
            new DefaultThreadFactory("cluster-mode-http-deadlines", true), 10, TimeUnit.MILLISECONDS);

    private Deadlines() {
    }

    /**
     * A future that completes as {@code future} does, or with a {@link TimeoutException} after
     * {@code timeout} (give or take the wheel's 10 ms tick); {@code future} itself is left alone
     * (a proposal goes on after we stop waiting).
     */
    static <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout) {
        if (future.isDone()) {
            return future;
        }
        CompletableFuture<T> out = new CompletableFuture<>();
        Timeout timer = WHEEL.newTimeout(expired -> out.completeExceptionally(new TimeoutException()),
                Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
        future.whenComplete((value, error) -> {
            timer.cancel();
            if (error != null) {
                out.completeExceptionally(cause(error));
            } else {
                out.complete(value);
            }
        });
        return out;
    }

    /** The exception inside the wrappers futures put around it. */
    static Throwable cause(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
