package io.clustermode.benchmarks;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop HTTP/1.1 load: {@code connections} kept-alive connections, each with exactly one
 * request outstanding, driven by one or two Netty event-loop threads in this JVM (non-blocking:
 * a thread serves every connection it owns). Requests are encoded beforehand
 * ({@link HttpRequests}); answers are decoded only as far as the status line and the end of
 * the body.
 *
 * <p>A load runs a warm-up, then a measured window, then stops: no new requests, and each
 * connection ends when its last answer is in or has timed out. Every phase is bounded in
 * time, so a load always ends by itself. Throughput and latency count the 2xx answers
 * completed inside the window; errors are counted over the whole load.
 *
 * @param connections    requests in flight (one per connection)
 * @param threads        event-loop threads of the generator
 * @param timeoutMillis  an answer not in after this long is a {@code timeout} error, and its connection is replaced
 */
public record HttpLoadGenerator(int connections, int threads, long timeoutMillis) {

    /**
     * Runs one load against {@code target}. {@code cpu} is started and stopped with the
     * measured window; its figures become the result's {@code cpuCores}.
     */
    public HttpLoadResult run(InetSocketAddress target, HttpRequests requests, int warmupSeconds, int seconds,
                              CpuMeter cpu) throws InterruptedException {
        LoadRun run = new LoadRun(requests, timeoutMillis);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("load", true),
                NioIoHandler.newFactory());
        List<LoadConnection> all = new ArrayList<>();
        long windowNanos;
        Map<String, Double> cores;
        try {
            for (int i = 0; i < connections; i++) {
                LoadConnection c = new LoadConnection(i, run, group.next(), target);
                all.add(c);
                c.connect();
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
            cpu.start();
            long from = System.nanoTime();
            run.openWindow(from);
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long until = System.nanoTime();
            run.closeWindow(until);
            cores = cpu.stop();
            windowNanos = until - from;
            run.stop();
            if (!run.awaitFinished(timeoutMillis + 2_000)) {
                // Stuck connections are cut; what they had outstanding is not counted.
                all.forEach(LoadConnection::close);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        return result(all, windowNanos, cores);
    }

    private static HttpLoadResult result(List<LoadConnection> all, long windowNanos, Map<String, Double> cores) {
        long[][] each = new long[all.size()][];
        int total = 0;
        TreeMap<String, Long> errors = new TreeMap<>();
        for (int i = 0; i < all.size(); i++) {
            each[i] = all.get(i).latencies();
            total += each[i].length;
            all.get(i).errors().forEach((kind, n) -> errors.merge(kind, n, Long::sum));
        }
        double[] millis = new double[total];
        int at = 0;
        for (long[] latencies : each) {
            for (long nanos : latencies) {
                millis[at++] = nanos / 1e6;
            }
        }
        Arrays.sort(millis);
        return new HttpLoadResult(total, windowNanos / 1e9, Stats.percentile(millis, 0.50),
                Stats.percentile(millis, 0.99), errors, cores);
    }
}
