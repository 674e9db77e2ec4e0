package io.clustermode.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Futures with a deadline, without blocking a thread while they wait. */
final class Deadlines {

    private Deadlines() {
    }

    /**
     * A future that completes as {@code future} does, or with a {@link TimeoutException} after
     * {@code timeout}; {@code future} itself is left alone (a proposal goes on after we stop waiting).
     */
    static <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout,
                                           ScheduledExecutorService scheduler) {
        CompletableFuture<T> out = new CompletableFuture<>();
        ScheduledFuture<?> timer = scheduler.schedule(() -> out.completeExceptionally(new TimeoutException()),
                Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
        future.whenComplete((value, error) -> {
            timer.cancel(false);
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
