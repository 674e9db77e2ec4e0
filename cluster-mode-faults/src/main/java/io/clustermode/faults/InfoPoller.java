package io.clustermode.faults;

import io.clustermode.cli.ClusterInfo;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Polls every node's {@code GET /cluster/info} at a fixed interval for the
 * "at most one primary per term" and "time without a primary" checkers. A node that does
 * not answer (killed, paused, partitioned from the poller) is simply not sampled.
 */
public final class InfoPoller implements AutoCloseable {

    private final HttpClient http;
    private final List<URI> nodes;
    private final Duration timeout;
    private final List<InfoSample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private long failures;

    /**
     * Starts polling.
     *
     * @param nodes    the nodes' HTTP base addresses, e.g. {@code http://127.0.0.2:8600}
     * @param interval time between polls of each node
     * @param timeout  how long one poll may take
     */
    public InfoPoller(List<URI> nodes, Duration interval, Duration timeout) {
        this.nodes = List.copyOf(nodes);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.timer = Executors.newScheduledThreadPool(Math.max(1, nodes.size()), r -> {
            Thread t = new Thread(r, "info-poller");
            t.setDaemon(true);
            return t;
        });
        // One task per node, so a paused node's hanging poll does not delay the others.
        for (URI node : this.nodes) {
            timer.scheduleWithFixedDelay(() -> poll(node), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void poll(URI node) {
        try {
            ClusterInfo info = ClusterInfo.fetch(http, node, timeout).get();
            InfoSample s = InfoSample.of(info, System.nanoTime());
            synchronized (this) {
                samples.add(s);
            }
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Unreachable, not 200, or malformed: counted, not sampled.
        }
        synchronized (this) {
            failures++;
        }
    }

    /** The samples so far. */
    public synchronized List<InfoSample> samples() {
        return List.copyOf(samples);
    }

    /** Polls that got no usable answer. */
    public synchronized long failures() {
        return failures;
    }

    /** Stops polling. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
