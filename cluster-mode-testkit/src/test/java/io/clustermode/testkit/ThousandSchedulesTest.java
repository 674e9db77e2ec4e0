package io.clustermode.testkit;

import io.clustermode.linearizability.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The figure: 1,000 seeded schedules of a 5-node cluster running the key-value store,
 * faults on, each history checked for linearizability (and the state machines compared after
 * the heal), on two threads. Prints the elapsed time; asserts only that every schedule passed.
 * {@code -Dcluster-mode.testkit.schedules=N} runs N instead.
 */
class ThousandSchedulesTest {

    @Test
    void a_thousand_seeded_schedules_of_five_nodes_under_faults_are_linearizable() throws Exception {
        int schedules = Integer.getInteger("cluster-mode.testkit.schedules", 1000);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<long[]>> results = new ArrayList<>();
        try {
            for (long seed = 1; seed <= schedules; seed++) {
                long s = seed;
                results.add(pool.submit(() -> {
                    TestCluster<String, KeyValueStore> cluster = KeyValueWorkload.run(s, 5, false);
                    cluster.assertLinearizable(KeyValueStore.REGISTERS);
                    cluster.assertAtMostOnePrimaryPerTerm();
                    cluster.assertStateMachinesEqualAfterHeal();
                    long ok = cluster.history().stream().filter(c -> c.outcome() == Outcome.OK).count();
                    long unknown = cluster.history().stream().filter(c -> c.outcome() == Outcome.UNKNOWN).count();
                    return new long[] {cluster.history().size(), ok, unknown, cluster.now().toMillis()};
                }));
            }
            long calls = 0;
            long ok = 0;
            long unknown = 0;
            long virtualMillis = 0;
            for (Future<long[]> result : results) {
                long[] r = result.get();
                calls += r[0];
                ok += r[1];
                unknown += r[2];
                virtualMillis += r[3];
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("testkit: %d schedules of 5 nodes (key-value store, faults on) in %.1f s on 2 threads"
                            + " (%.0f schedules/s): %d calls (%d acknowledged, %d unknown), %.0f s of virtual time,"
                            + " every history linearizable%n", schedules, seconds, schedules / seconds, calls, ok, unknown,
                    virtualMillis / 1000.0);
            assertThat(ok).isPositive();
        } finally {
            pool.shutdownNow();
        }
    }
}
