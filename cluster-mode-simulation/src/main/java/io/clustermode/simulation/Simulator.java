package io.clustermode.simulation;

import io.clustermode.raft.Canary;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs many {@link Schedule}s, one per seed, on a few threads, and reports them in seed
 * order: the output depends only on the seeds, never on thread timing.
 */
public final class Simulator {

    /** The first seed of {@code --seeds N}: schedules are seeds FIRST_SEED .. FIRST_SEED + N - 1. */
    public static final long FIRST_SEED = 1;

    /** The results of a batch of schedules. */
    public record Summary(int schedules, List<Schedule.Result> violations, long writesAcknowledged,
                          long readsServed, long messages, long faults, long elapsedMillis) {
    }

    private Simulator() {
    }

    /** Runs the schedules of seeds {@code first .. first + count - 1} on {@code threads} threads. */
    public static Summary run(long first, int count, Set<Canary> canaries, int threads) {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<Schedule.Result>> futures = new ArrayList<>();
            for (long seed = first; seed < first + count; seed++) {
                long s = seed;
                futures.add(pool.submit(() -> Schedule.run(s, canaries)));
            }
            List<Schedule.Result> violations = new ArrayList<>();
            long writes = 0;
            long reads = 0;
            long messages = 0;
            long faults = 0;
            for (Future<Schedule.Result> future : futures) {
                Schedule.Result result = future.get();
                if (result.failed()) {
                    violations.add(result);
                }
                writes += result.writesAcknowledged();
                reads += result.readsServed();
                messages += result.messages();
                faults += result.faults();
            }
            return new Summary(count, violations, writes, reads, messages, faults,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a schedule failed to run", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
