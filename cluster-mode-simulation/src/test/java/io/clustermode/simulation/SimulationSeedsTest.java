package io.clustermode.simulation;

import io.clustermode.raft.Canary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main test of the Raft core: thousands of seeded schedules of faults and workload with
 * every invariant checked after every step, and canaries proving the check can fail.
 */
class SimulationSeedsTest {

    /** Schedules in the default build; {@code bin/cluster-mode simulate --seeds N} runs more. */
    private static final int SCHEDULES = 2_500;
    /** A canary must be caught within this many schedules. */
    private static final int CANARY_BUDGET = 400;
    private static final int THREADS = Runtime.getRuntime().availableProcessors();

    @Test
    void thousands_of_seeded_schedules_keep_every_invariant() {
        Simulator.Summary summary = Simulator.run(Simulator.FIRST_SEED, SCHEDULES, Set.of(), THREADS);
        List<String> failures = new ArrayList<>();
        for (Schedule.Result violation : summary.violations()) {
            failures.add("seed " + violation.seed() + ": " + violation.detail()
                    + " (replay: bin/cluster-mode simulate --seed " + violation.seed() + " --trace)");
        }
        assertThat(failures).isEmpty();
        // The schedules did real work: a run that acknowledged nothing would prove nothing.
        assertThat(summary.writesAcknowledged()).isGreaterThan(SCHEDULES * 10L);
        assertThat(summary.readsServed()).isGreaterThan(SCHEDULES * 5L);
        assertThat(summary.faults()).isGreaterThan(SCHEDULES * 10L);
        System.out.printf("simulation: %d schedules in %d ms, %d writes acknowledged, %d reads served, %d faults%n",
                SCHEDULES, summary.elapsedMillis(), summary.writesAcknowledged(), summary.readsServed(),
                summary.faults());
    }

    @ParameterizedTest
    @EnumSource(Canary.class)
    void every_canary_is_caught_within_a_few_hundred_schedules(Canary canary) {
        Simulator.Summary summary = Simulator.run(Simulator.FIRST_SEED, CANARY_BUDGET, EnumSet.of(canary), THREADS);
        assertThat(summary.violations()).as("violations found with canary " + canary).isNotEmpty();
    }

    /** Moving a partition without waiting for its holder is caught as two holders of one partition. */
    @Test
    void a_leader_that_moves_a_partition_without_waiting_for_its_holder_is_caught() {
        Simulator.Summary summary = Simulator.run(Simulator.FIRST_SEED, CANARY_BUDGET,
                EnumSet.of(Canary.PARTITION_GRANT_WITHOUT_LEASE), THREADS);
        assertThat(summary.violations()).isNotEmpty();
        assertThat(summary.violations()).extracting(Schedule.Result::invariant).contains("one holder per partition");
    }

    /**
     * The driver is the runtime's own ({@code ReadyDriver}): breaking its order — a Ready's
     * messages leave before its writes are durable — is caught as such, in the first schedules.
     */
    @Test
    void a_driver_that_sends_before_its_writes_are_durable_is_caught() {
        Schedule.Result result = null;
        long seed = 1;
        for (; seed <= 20 && (result == null || !result.failed()); seed++) {
            result = Schedule.run(seed, EnumSet.of(Canary.SEND_BEFORE_DURABLE));
        }
        assertThat(result.failed()).as("caught within 20 schedules").isTrue();
        assertThat(result.invariant()).isEqualTo("durable before sent");
        assertThat(result.detail()).containsAnyOf("granted its vote", "acknowledged entries");
    }

    /** {@code simulate --hashes}: the same seeds give the same lines on any number of threads; a changed rule does not. */
    @Test
    void per_seed_hashes_tell_the_same_runs_from_changed_ones() {
        List<String> twoThreads = Simulator.run(1, 30, Set.of(), 2, true).hashes();
        List<String> oneThread = Simulator.run(1, 30, Set.of(), 1, true).hashes();
        assertThat(twoThreads).hasSize(30).isEqualTo(oneThread);
        assertThat(twoThreads.get(0)).matches("seed 1 [0-9a-f]{16}");
        List<String> broken = Simulator.run(1, 30, EnumSet.of(Canary.SEND_BEFORE_DURABLE), 2, true).hashes();
        assertThat(broken).isNotEqualTo(twoThreads);
    }

    @Test
    void the_same_seed_replays_the_same_run_step_for_step() {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        Schedule.Result a = Schedule.run(42, Set.of(), first::add);
        Schedule.Result b = Schedule.run(42, Set.of(), second::add);
        assertThat(first).hasSizeGreaterThan(500).isEqualTo(second);
        assertThat(a).isEqualTo(b);
    }

    @Test
    void a_failing_schedule_reports_its_seed_invariant_and_last_steps() {
        Schedule.Result result = null;
        for (long seed = 1; seed < CANARY_BUDGET && (result == null || !result.failed()); seed++) {
            result = Schedule.run(seed, EnumSet.of(Canary.VOTE_TWICE));
        }
        assertThat(result.failed()).isTrue();
        assertThat(result.invariant()).isEqualTo("election safety");
        assertThat(result.detail()).contains("became leader in term");
        assertThat(result.trace()).isNotEmpty();
        assertThat(result.status()).isNotEmpty();
        // Replaying the seed finds the same violation.
        assertThat(Schedule.run(result.seed(), EnumSet.of(Canary.VOTE_TWICE))).isEqualTo(result);
    }
}
