package io.clustermode.testkit;

import io.clustermode.ClusterRole;
import io.clustermode.PartitionListener;
import io.clustermode.RoleChange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real {@code Cluster} nodes on virtual time, driven as an application drives them: its
 * listener, its primary-only work through {@code PrimaryExecutor}, its partition listeners.
 */
class RealClusterNodesTest {

    @Test
    void when_the_primary_is_isolated_then_healed_the_listeners_hear_it_step_down_and_another_take_over() {
        List<String> heard = new ArrayList<>();
        TestCluster<Long, Counter> sim = TestCluster.builder().nodes(3).seed(3)
                .stateMachine(Counter::new)
                .onStart(node -> node.cluster().addListener(new io.clustermode.ClusterListener() {
                    @Override
                    public void onRoleChange(RoleChange change) {
                        heard.add(node.id() + " " + change.role() + " " + change.term());
                    }
                }))
                .build();
        TestNode<Counter> first = sim.awaitPrimary();
        assertThat(heard).contains(first.id() + " PRIMARY " + first.cluster().status().term());
        long firstTerm = first.cluster().fencingToken().orElseThrow();

        sim.isolate(first);
        sim.runUntil(() -> sim.nodes().stream().anyMatch(n -> n != first && n.role() == ClusterRole.PRIMARY));
        // It hears no quorum: it steps down, and its listener is told.
        sim.runUntil(() -> lastRole(first) != ClusterRole.PRIMARY);
        TestNode<Counter> second = sim.primary().orElseThrow();
        assertThat(second).isNotSameAs(first);
        assertThat(second.cluster().fencingToken().orElseThrow()).isGreaterThan(firstTerm);
        assertThat(first.roleChanges()).last().extracting(RoleChange::role).isNotEqualTo(ClusterRole.PRIMARY);

        sim.heal();
        sim.runUntil(() -> lastRole(first) == ClusterRole.SECONDARY);
        assertThat(first.roleChanges()).last().satisfies(change -> {
            assertThat(change.role()).isEqualTo(ClusterRole.SECONDARY);
            assertThat(change.primary()).isPresent();
        });
        assertThat(heard).contains(second.id() + " PRIMARY " + second.cluster().status().term());
        sim.assertAtMostOnePrimaryPerTerm();
    }

    @Test
    void primary_executor_work_never_overlaps_across_nodes_through_crashes_and_restarts() {
        TestCluster<Long, Counter> sim = TestCluster.builder().nodes(5).seed(7)
                .stateMachine(Counter::new).recordTrace(false).build();
        sim.schedulePrimaryOnly("sweep", Duration.ofMillis(50), Duration.ofMillis(200), run -> { });
        sim.dropRate(0.02);
        for (int round = 0; round < 4; round++) {
            TestNode<Counter> primary = sim.awaitPrimary();
            sim.advance(Duration.ofMillis(120 + sim.random().nextInt(300))); // a run is in progress
            TestNode<Counter> follower = sim.nodes().stream().filter(n -> n != primary).findFirst().orElseThrow();
            sim.isolate(follower);
            sim.crash(primary);
            sim.awaitPrimary();
            sim.advance(Duration.ofMillis(500));
            sim.restart(primary);
            sim.heal();
        }
        sim.advance(Duration.ofSeconds(2));

        List<PrimaryRun> runs = sim.primaryRuns();
        assertThat(runs.stream().map(PrimaryRun::node).distinct().count()).isGreaterThan(1);
        assertThat(runs).anyMatch(PrimaryRun::interrupted);
        assertThat(runs).anyMatch(run -> run.endedAt().isPresent() && !run.interrupted());
        sim.assertPrimaryOnlyWorkNeverOverlapped();
        sim.assertAtMostOnePrimaryPerTerm();
    }

    /**
     * The primary cut off from the others stops its primary-only work before another starts:
     * it steps down an election timeout less a heartbeat interval after it last heard a
     * majority, and the others elect no one before their leases of it end, a whole election
     * timeout after they last heard it (the virtual clocks keep one rate).
     */
    @ParameterizedTest
    @ValueSource(longs = {7, 11, 12, 13, 14})
    void primary_executor_work_never_overlaps_when_the_primary_is_cut_off(long seed) {
        TestCluster<Long, Counter> sim = TestCluster.builder().nodes(5).seed(seed)
                .stateMachine(Counter::new).recordTrace(false).build();
        sim.schedulePrimaryOnly("sweep", Duration.ofMillis(50), Duration.ofMillis(200), run -> { });
        java.util.Set<TestNode<Counter>> primaries = new java.util.HashSet<>();
        for (int round = 0; round < 4; round++) {
            TestNode<Counter> primary = sim.awaitPrimary();
            primaries.add(primary);
            sim.advance(Duration.ofMillis(120 + sim.random().nextInt(300))); // a run is in progress
            sim.isolate(primary);
            sim.runUntil(() -> sim.nodes().stream().anyMatch(n -> n != primary && n.role() == ClusterRole.PRIMARY));
            sim.advance(Duration.ofMillis(500));
            sim.heal();
        }
        sim.advance(Duration.ofSeconds(2));

        assertThat(primaries).hasSizeGreaterThan(1);
        assertThat(sim.primaryRuns()).anyMatch(PrimaryRun::interrupted);
        sim.assertPrimaryOnlyWorkNeverOverlapped();
        sim.assertAtMostOnePrimaryPerTerm();
    }

    @Test
    void a_primary_only_job_that_ignores_revocation_is_caught() {
        TestCluster<Long, Counter> sim = TestCluster.builder().nodes(3).seed(5)
                .stateMachine(Counter::new).build();
        // The broken job: it checks primacy once, then works on with its own timer for two
        // seconds, whatever the node hears meanwhile (it never asks PrimaryExecutor again).
        TestNode<Counter> first = sim.awaitPrimary();
        PrimaryRun broken = sim.beginPrimaryWork(first, "ignores-revocation");
        first.scheduler().schedule(() -> sim.endPrimaryWork(broken, false), 3, TimeUnit.SECONDS);
        sim.schedulePrimaryOnly("well-behaved", Duration.ofMillis(20), Duration.ofMillis(100), run -> { });
        sim.isolate(first);
        sim.runUntil(() -> sim.nodes().stream().anyMatch(n -> n != first && n.role() == ClusterRole.PRIMARY));
        sim.advance(Duration.ofSeconds(3));

        assertThatThrownBy(sim::assertPrimaryOnlyWorkNeverOverlapped)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("primary-only work overlapped")
                .hasMessageContaining("ignores-revocation on " + first.id())
                .hasMessageContaining("seed 5");
    }

    @Test
    void partitions_move_under_faults_and_each_has_at_most_one_holder_at_a_time() {
        List<String> events = new ArrayList<>();
        TestCluster<Long, Counter> sim = TestCluster.builder().nodes(3).seed(9)
                .stateMachine(Counter::new)
                .partitions("orders", 8)
                .onStart(node -> node.cluster().partitionGroup("orders").orElseThrow().addListener(new PartitionListener() {
                    @Override
                    public void onAssigned(int partition, long epoch) {
                        events.add("+" + node.id() + "/" + partition);
                    }

                    @Override
                    public void onRevoked(int partition, long epoch) {
                        events.add("-" + node.id() + "/" + partition);
                    }
                }))
                .recordTrace(false).build();
        sim.awaitPrimary();
        sim.runUntil(() -> sim.partitionHolders().size() == 8);
        TestNode<Counter> victim = sim.node("n2");
        assertThat(sim.partitionHolders()).containsValue(victim.id());

        sim.crash(victim);
        sim.runUntil(() -> sim.partitionHolders().size() == 8);
        assertThat(sim.partitionHolders()).doesNotContainValue(victim.id());
        sim.restart(victim);
        sim.isolate(sim.node("n3"));
        sim.advance(Duration.ofSeconds(6));
        sim.heal();
        sim.runUntil(() -> sim.partitionHolders().size() == 8 && sim.partitionHolders().values().stream()
                .distinct().count() == 3);

        assertThat(events).anyMatch(e -> e.startsWith("-")).anyMatch(e -> e.startsWith("+" + victim.id()));
        sim.assertOneHolderPerPartition();
    }

    @Test
    void a_primary_whose_health_check_fails_hands_primacy_to_a_healthy_node() {
        java.util.Set<String> sick = new java.util.TreeSet<>();
        TestCluster<Long, Counter> sim = TestCluster.builder().nodes(3).seed(13)
                .stateMachine(Counter::new)
                .onStart(node -> node.cluster().addHealthCheck("database", () -> !sick.contains(node.id().value())))
                .build();
        TestNode<Counter> first = sim.awaitPrimary();
        sim.advance(Duration.ofSeconds(2)); // the checks have run and passed

        sick.add(first.id().value());
        sim.runUntil(() -> sim.primary().filter(p -> p != first).isPresent() && lastRole(first) != ClusterRole.PRIMARY,
                Duration.ofSeconds(10));
        assertThat(first.cluster().healthy()).isFalse();
        assertThat(sim.awaitPrimary()).isNotSameAs(first);
        sim.assertAtMostOnePrimaryPerTerm();
    }

    @Test
    void the_same_seed_gives_the_same_trace_byte_for_byte_and_another_seed_another() {
        assertThat(faultyRun(21)).isEqualTo(faultyRun(21));
        assertThat(faultyRun(21)).isNotEqualTo(faultyRun(22));
    }

    private static ClusterRole lastRole(TestNode<?> node) {
        List<RoleChange> changes = node.roleChanges();
        return changes.isEmpty() ? ClusterRole.INACTIVE : changes.get(changes.size() - 1).role();
    }

    private static String faultyRun(long seed) {
        TestCluster<Long, Counter> sim = TestCluster.builder().nodes(5).seed(seed)
                .stateMachine(Counter::new).partitions("jobs", 4).build();
        sim.schedulePrimaryOnly("tick", Duration.ofMillis(30), Duration.ofMillis(40), run -> { });
        sim.awaitPrimary();
        sim.dropRate(0.02);
        for (int i = 0; i < 30; i++) {
            TestNode<Counter> node = sim.nodes().get(sim.random().nextInt(5));
            switch (sim.random().nextInt(6)) {
                case 0 -> sim.crash(node);
                case 1 -> sim.restart(node);
                case 2 -> sim.isolate(node);
                case 3 -> sim.heal();
                default -> sim.submit(node, "1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            sim.advance(Duration.ofMillis(sim.random().nextInt(400)));
        }
        return sim.trace();
    }
}
