package io.clustermode.simulation;

import io.clustermode.raft.Canary;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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

    /**
     * The results of a batch of schedules.
     *
     * @param hashes one line per seed, {@code seed S <hash>}, when asked for: a hash of every step
     *               the schedule took and of its outcome; empty otherwise
     */
    public record Summary(int schedules, List<Schedule.Result> violations, long writesAcknowledged,
                          long readsServed, long messages, long faults, long elapsedMillis, List<String> hashes) {
    }

    private Simulator() {
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Runs the schedules of seeds {@code first .. first + count - 1} on {@code threads} threads. */
    public static Summary run(long first, int count, Set<Canary> canaries, int threads) {
        return run(first, count, canaries, threads, false);
    }

    /**
     * As {@link #run(long, int, Set, int)}; with {@code hashes}, also hashes every step of each
     * schedule (slower: each step is written out), so that two builds can be shown to run the
     * same schedules step for step — the proof a refactoring of the core owes.
     */
    public static Summary run(long first, int count, Set<Canary> canaries, int threads, boolean hashes) {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<Schedule.Result>> futures = new ArrayList<>();
            List<Future<String>> hashed = new ArrayList<>();
            for (long seed = first; seed < first + count; seed++) {
                long s = seed;
                if (hashes) {
                    CompletableFuture<Schedule.Result> result = new CompletableFuture<>();
                    hashed.add(pool.submit(() -> {
                        MessageDigest digest = sha256();
                        Schedule.Result r = Schedule.run(s, canaries,
                                line -> digest.update((line + "\n").getBytes(StandardCharsets.UTF_8)));
                        digest.update((r.failed() + " " + r.invariant() + " " + r.writesAcknowledged() + " "
                                + r.readsServed() + " " + r.messages() + " " + r.faults())
                                .getBytes(StandardCharsets.UTF_8));
                        result.complete(r);
                        return "seed " + s + " " + HexFormat.of().formatHex(digest.digest(), 0, 8);
                    }));
                    futures.add(result);
                } else {
                    futures.add(pool.submit(() -> Schedule.run(s, canaries)));
                }
            }
            List<String> hashLines = new ArrayList<>();
            for (Future<String> line : hashed) {
                hashLines.add(line.get());
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
                    (System.nanoTime() - start) / 1_000_000, hashLines);
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
