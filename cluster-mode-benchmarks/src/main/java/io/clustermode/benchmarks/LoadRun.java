package io.clustermode.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The state one HTTP load shares between the thread that times it and the event loops that
 * drive its connections: the requests, the measured window, the stop flag, and the count of
 * connections that have finished after the stop.
 */
final class LoadRun {

    private final HttpRequests requests;
    private final long timeoutNanos;
    private final CountDownLatch finished;
    private volatile long windowFrom = Long.MAX_VALUE;
    private volatile long windowUntil = Long.MAX_VALUE;
    private volatile boolean stopping;

    LoadRun(HttpRequests requests, long timeoutMillis) {
        this.requests = requests;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.finished = new CountDownLatch(requests.connections());
    }

    HttpRequests requests() {
        return requests;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** Answers completed from now on are measured. */
    void openWindow(long now) {
        windowFrom = now;
    }

    /** Answers completed from now on are no longer measured. */
    void closeWindow(long now) {
        windowUntil = now;
    }

    /** Whether an answer completed at {@code nanoTime} is measured. */
    boolean inWindow(long nanoTime) {
        return nanoTime >= windowFrom && nanoTime < windowUntil;
    }

    /** No new requests: each connection ends when its outstanding answer is in. */
    void stop() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    void connectionDone() {
        finished.countDown();
    }

    /** Waits until every connection ended; false if some did not within {@code millis}. */
    boolean awaitFinished(long millis) throws InterruptedException {
        return finished.await(millis, TimeUnit.MILLISECONDS);
    }
}
