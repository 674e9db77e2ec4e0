package io.clustermode.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The size of history a run produces is checked in well under the time of the run. */
class CheckerSpeedTest {

    @Test
    void five_clients_two_thousand_operations_are_checked_in_seconds() {
        for (int keys : new int[] {1, 5}) {
            for (double unknown : new double[] {0.0, 0.05, 0.2}) {
                History h = RandomHistories.generate(new Random(42), 5, 400, keys, unknown);
                long start = System.nanoTime();
                var result = new LinearizabilityChecker().check(h);
                long ms = (System.nanoTime() - start) / 1_000_000;
                long nodes = result.keys().stream().mapToLong(KeyResult::searchNodes).sum();
                System.out.printf("speed: %d ops, %d key(s), %.0f%% unknown: %s in %d ms, %d search nodes%n",
                        h.size(), keys, unknown * 100, result.verdict(), ms, nodes);
                assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
                assertThat(ms).isLessThan(10_000);

                // Refuting is the expensive direction: every reachable configuration is tried.
                int caught = 0;
                long slowest = 0;
                for (int m = 0; m < 10; m++) {
                    History broken = RandomHistories.mutateOneRead(h, new Random(m));
                    long s = System.nanoTime();
                    Verdict v = new LinearizabilityChecker().check(broken).verdict();
                    slowest = Math.max(slowest, (System.nanoTime() - s) / 1_000_000);
                    assertThat(v).isNotEqualTo(Verdict.UNDECIDED);
                    caught += v == Verdict.VIOLATION ? 1 : 0;
                }
                System.out.printf("speed:   10 falsified reads: %d caught, slowest check %d ms%n", caught, slowest);
                assertThat(slowest).isLessThan(10_000);
            }
        }
    }
}
