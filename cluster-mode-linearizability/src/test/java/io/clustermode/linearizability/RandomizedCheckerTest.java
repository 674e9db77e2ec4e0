package io.clustermode.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checker against histories of a real register, and the same histories with one read falsified. */
class RandomizedCheckerTest {

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    @Test
    void histories_of_a_real_register_are_linearizable_and_one_falsified_read_is_mostly_caught() {
        int histories = 500;
        int caught = 0;
        int mutated = 0;
        for (int seed = 0; seed < histories; seed++) {
            Random random = new Random(seed);
            History h = RandomHistories.generate(random, 2 + random.nextInt(4), 5 + random.nextInt(30),
                    1 + random.nextInt(3), random.nextInt(4) * 0.1);
            var result = checker.check(h);
            assertThat(result.verdict()).as("seed %d:\n%s\n%s", seed, result.describe(), h.toText())
                    .isEqualTo(Verdict.LINEARIZABLE);
            History broken = RandomHistories.mutateOneRead(h, random);
            if (broken == null) {
                continue;
            }
            mutated++;
            Verdict v = checker.check(broken).verdict();
            assertThat(v).as("seed %d", seed).isNotEqualTo(Verdict.UNDECIDED);
            if (v == Verdict.VIOLATION) {
                caught++;
            }
        }
        assertThat(mutated).isGreaterThan(histories * 9 / 10);
        // A falsified read goes unnoticed only when the value it now returns was also possible.
        assertThat((double) caught / mutated).as("caught %d of %d", caught, mutated).isGreaterThan(0.85);
        System.out.printf("randomized: %d histories linearizable; %d of %d falsified reads caught%n",
                histories, caught, mutated);
    }
}
