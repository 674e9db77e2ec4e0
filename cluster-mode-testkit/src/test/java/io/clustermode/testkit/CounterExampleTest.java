package io.clustermode.testkit;

import io.clustermode.ClusterRole;
import io.clustermode.Committed;
import io.clustermode.linearizability.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example to copy: the README's counter, tested the way an application would test its own
 * state machine — a workload from any node, faults as calls, then the checks.
 */
class CounterExampleTest {

    @Test
    void a_counter_counts_what_was_added_through_any_node() {
        TestCluster<Long, Counter> cluster = TestCluster.builder().nodes(5).seed(42).stateMachine(Counter::new).build();
        TestNode<Counter> primary = cluster.awaitPrimary();
        TestNode<Counter> secondary = cluster.nodes().stream().filter(n -> n != primary).findFirst().orElseThrow();
        assertThat(secondary.role()).isEqualTo(ClusterRole.SECONDARY);

        Call<Committed<Long>> atPrimary = cluster.submit(primary, "5".getBytes(UTF_8));
        Call<Committed<Long>> atSecondary = cluster.submit(secondary, "7".getBytes(UTF_8)); // handed to the primary
        cluster.runUntil(() -> atPrimary.isDone() && atSecondary.isDone());
        Call<Long> read = cluster.read(secondary, counter -> counter.value);
        cluster.runUntil(read::isDone);

        assertThat(atPrimary.value().result() + atSecondary.value().result()).isIn(5L + 12L, 7L + 12L);
        assertThat(read.value()).isEqualTo(12L);
        cluster.assertLinearizable();
        cluster.assertStateMachinesEqualAfterHeal();
        assertThat(cluster.nodes()).allSatisfy(node -> assertThat(node.machine().value).isEqualTo(12L));
    }

    @ClusterTest(seeds = 40)
    void under_crashes_partitions_and_pauses_the_counter_stays_linearizable(long seed) {
        TestCluster<Long, Counter> cluster = TestCluster.builder().nodes(5).seed(seed).stateMachine(Counter::new).build();
        Random random = cluster.random(); // the test's own choices replay from the seed too
        cluster.awaitPrimary();
        cluster.dropRate(0.02);
        List<Call<Committed<Long>>> adds = new ArrayList<>();
        for (int round = 0; round < 30; round++) {
            TestNode<Counter> node = cluster.nodes().get(random.nextInt(5));
            switch (random.nextInt(12)) {
                case 0 -> cluster.crash(node);
                case 1 -> cluster.restart(node);
                case 2 -> cluster.isolate(node);
                case 3 -> cluster.heal();
                case 4 -> cluster.pause(node, Duration.ofMillis(200 + random.nextInt(1500)));
                case 5 -> cluster.partition(node, cluster.nodes().get(random.nextInt(5)) == node
                        ? cluster.nodes().get((cluster.nodes().indexOf(node) + 1) % 5) : cluster.nodes().get(0) == node
                        ? cluster.nodes().get(1) : cluster.nodes().get(0));
                case 6, 7 -> cluster.read(node, counter -> counter.value);
                default -> adds.add(cluster.submit(node, Integer.toString(1 + random.nextInt(9)).getBytes(UTF_8)));
            }
            cluster.advance(Duration.ofMillis(random.nextInt(400)));
        }
        cluster.heal();
        cluster.advance(Duration.ofSeconds(3));

        cluster.assertLinearizable();
        cluster.assertAtMostOnePrimaryPerTerm();
        cluster.assertStateMachinesEqualAfterHeal();
        // Every acknowledged add is in the total; an unknown one may or may not be.
        long acknowledged = 0;
        long maybe = 0;
        for (Call<Committed<Long>> add : adds) {
            long amount = Long.parseLong(new String(add.command(), UTF_8));
            if (add.outcome() == Outcome.OK) {
                acknowledged += amount;
            } else if (add.outcome() == Outcome.UNKNOWN) {
                maybe += amount;
            }
        }
        long total = cluster.nodes().get(0).machine().value;
        assertThat(total).isBetween(acknowledged, acknowledged + maybe);
    }
}
