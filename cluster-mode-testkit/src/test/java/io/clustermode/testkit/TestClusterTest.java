package io.clustermode.testkit;

import io.clustermode.ClusterRole;
import io.clustermode.Committed;
import io.clustermode.linearizability.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each fault and time call doing what its Javadoc says, and bad input refused clearly. */
class TestClusterTest {

    private static TestCluster<Long, Counter> cluster(long seed) {
        return TestCluster.builder().nodes(3).seed(seed).stateMachine(Counter::new).build();
    }

    @Test
    void an_isolated_primary_is_replaced_and_learns_it_after_the_heal() {
        TestCluster<Long, Counter> cluster = cluster(21);
        TestNode<Counter> first = cluster.awaitPrimary();
        cluster.isolate(first);
        TestNode<Counter> second = cluster.awaitPrimary();
        assertThat(second).isNotSameAs(first);
        cluster.heal();
        cluster.runUntil(() -> first.role() == ClusterRole.SECONDARY);
        assertThat(first.term()).isEqualTo(second.term());
    }

    @Test
    void a_crashed_node_keeps_what_it_persisted_and_catches_up_after_a_restart() {
        TestCluster<Long, Counter> cluster = cluster(22);
        TestNode<Counter> primary = cluster.awaitPrimary();
        TestNode<Counter> other = cluster.nodes().stream().filter(n -> n != primary).findFirst().orElseThrow();
        Call<Committed<Long>> before = cluster.submit(primary, "3".getBytes(UTF_8));
        cluster.runUntil(() -> before.isDone() && other.appliedIndex() >= before.value().index());
        cluster.crash(other);
        assertThat(other.isUp()).isFalse();
        assertThat(other.role()).isEqualTo(ClusterRole.INACTIVE);
        Call<Committed<Long>> toDown = cluster.submit(other, "1".getBytes(UTF_8));
        assertThat(toDown.outcome()).isEqualTo(Outcome.FAILED);
        Call<Committed<Long>> during = cluster.submit(primary, "4".getBytes(UTF_8));
        cluster.runUntil(during::isDone);
        cluster.restart(other);
        // a new process: a new state machine, given what the disk says was committed, then the rest
        assertThat(other.machine().value).isLessThan(7);
        cluster.runUntil(() -> other.machine().value == 7);
    }

    @Test
    void a_partitioned_link_leaves_the_others_working() {
        TestCluster<Long, Counter> cluster = cluster(23);
        TestNode<Counter> primary = cluster.awaitPrimary();
        List<TestNode<Counter>> others = cluster.nodes().stream().filter(n -> n != primary).toList();
        cluster.partition(primary, others.get(0));
        Call<Committed<Long>> write = cluster.submit(primary, "2".getBytes(UTF_8));
        cluster.runUntil(write::isDone);
        assertThat(write.succeeded()).isTrue(); // n-1 of 3 still make a majority
    }

    @Test
    void a_request_to_a_paused_node_waits_for_it() {
        TestCluster<Long, Counter> cluster = cluster(24);
        TestNode<Counter> primary = cluster.awaitPrimary();
        cluster.pause(primary, Duration.ofMillis(300));
        assertThat(primary.isPaused()).isTrue();
        assertThat(primary.isPrimary()).isTrue(); // it does not know
        Call<Committed<Long>> write = cluster.submit(primary, "2".getBytes(UTF_8));
        cluster.advance(Duration.ofMillis(299));
        assertThat(write.isDone()).isFalse();
        cluster.runUntil(write::isDone);
        assertThat(write.completedAt().orElseThrow()).isGreaterThanOrEqualTo(300L);
    }

    @Test
    void a_request_waiting_for_a_paused_node_that_crashes_was_never_made() {
        TestCluster<Long, Counter> cluster = cluster(31);
        TestNode<Counter> primary = cluster.awaitPrimary();
        cluster.pause(primary, Duration.ofSeconds(1));
        Call<Committed<Long>> write = cluster.submit(primary, "2".getBytes(UTF_8));
        cluster.crash(primary);
        assertThat(write.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(write.failure().orElseThrow()).hasMessageContaining("is down");
    }

    @Test
    void message_loss_slows_but_does_not_break_the_cluster() {
        TestCluster<Long, Counter> cluster = cluster(25);
        cluster.dropRate(0.3);
        TestNode<Counter> primary = cluster.awaitPrimary();
        Call<Committed<Long>> write = cluster.submit(primary, "2".getBytes(UTF_8));
        cluster.advance(Duration.ofSeconds(2));
        cluster.assertLinearizable();
        cluster.assertStateMachinesEqualAfterHeal();
        assertThat(write.outcome()).isNotEqualTo(Outcome.FAILED);
    }

    @Test
    void time_is_virtual() {
        TestCluster<Long, Counter> cluster = cluster(26);
        long start = System.nanoTime();
        cluster.advance(Duration.ofMinutes(10));
        assertThat(cluster.now()).isEqualTo(Duration.ofMinutes(10));
        System.out.printf("testkit: 10 minutes of virtual time of an idle 3-node cluster in %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void a_condition_that_never_holds_fails_with_the_seed() {
        TestCluster<Long, Counter> cluster = cluster(27);
        assertThatThrownBy(() -> cluster.runUntil(() -> false, Duration.ofSeconds(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("did not hold within 1000 ms")
                .hasMessageContaining("seed 27");
    }

    @Test
    void no_primary_without_a_majority_fails_await_primary_clearly() {
        TestCluster<Long, Counter> cluster = cluster(28);
        cluster.crash(cluster.nodes().get(0));
        cluster.crash(cluster.nodes().get(1));
        assertThatThrownBy(cluster::awaitPrimary).isInstanceOf(AssertionError.class)
                .hasMessageContaining("seed 28").hasMessageContaining("n1 DOWN");
    }

    @Test
    void a_state_machine_that_throws_fails_the_run_with_the_seed() {
        TestCluster<Long, Counter> cluster = cluster(29);
        TestNode<Counter> primary = cluster.awaitPrimary();
        assertThatThrownBy(() -> {
            cluster.submit(primary, "not a number".getBytes(UTF_8));
            cluster.advance(Duration.ofSeconds(1));
        }).isInstanceOf(AssertionError.class).hasMessageContaining("NumberFormatException").hasMessageContaining("seed 29");
    }

    @Test
    void bad_input_is_refused_with_a_clear_message() {
        assertThatThrownBy(() -> TestCluster.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stateMachine(MyMachine::new)");
        assertThatThrownBy(() -> TestCluster.builder().nodes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 9 nodes");
        assertThatThrownBy(() -> TestCluster.builder().electionTimeout(Duration.ofMillis(5)))
                .hasMessageContaining("at least 30 ms");
        TestCluster<Long, Counter> cluster = cluster(30);
        TestCluster<Long, Counter> another = cluster(30);
        TestNode<Counter> n1 = cluster.nodes().get(0);
        assertThatThrownBy(() -> cluster.dropRate(1.5)).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> cluster.partition(n1, n1)).hasMessageContaining("given n1 twice");
        assertThatThrownBy(() -> cluster.crash(another.nodes().get(0))).hasMessageContaining("not a node of this cluster");
        assertThatThrownBy(() -> cluster.node("n9")).hasMessageContaining("no node n9");
        assertThatThrownBy(() -> cluster.advance(Duration.ofMillis(-1))).hasMessageContaining("time runs forward");
        assertThatThrownBy(() -> cluster.pause(n1, Duration.ZERO)).hasMessageContaining("at least one time unit");
        cluster.pause(n1, Duration.ofSeconds(1));
        Call<Long> pending = cluster.read(n1, counter -> counter.value);
        assertThatThrownBy(pending::value).hasMessageContaining("no answer yet");
        cluster.runUntil(pending::isDone);
        assertThat(pending.outcome()).isEqualTo(Outcome.FAILED); // it knew no primary
        assertThatThrownBy(pending::value).hasMessageContaining("not the primary");
    }
}
