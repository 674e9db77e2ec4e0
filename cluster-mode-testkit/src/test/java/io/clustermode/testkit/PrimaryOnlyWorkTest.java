package io.clustermode.testkit;

import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Primary-only work as PrimaryExecutor runs it: while a node is primary, interrupted when it
 * learns it is not. A paused primary does not learn in time: its work overlaps the next
 * primary's, and the check says so; the fencing token is what keeps such work apart.
 */
class PrimaryOnlyWorkTest {

    @Test
    void without_faults_primary_only_work_runs_on_one_node_at_a_time() {
        TestCluster<Long, Counter> cluster = TestCluster.builder().nodes(3).seed(11).stateMachine(Counter::new).build();
        List<NodeId> ranOn = new ArrayList<>();
        cluster.schedulePrimaryOnly("report", Duration.ofMillis(100), Duration.ofMillis(30),
                run -> ranOn.add(run.node()));
        TestNode<Counter> primary = cluster.awaitPrimary();
        cluster.advance(Duration.ofSeconds(2));

        assertThat(ranOn).hasSizeGreaterThan(10).containsOnly(primary.id());
        cluster.assertPrimaryOnlyWorkNeverOverlapped();
    }

    @Test
    void a_crashed_primary_stops_its_work_and_the_next_takes_over_with_a_larger_token() {
        TestCluster<Long, Counter> cluster = TestCluster.builder().nodes(3).seed(12).stateMachine(Counter::new).build();
        cluster.schedulePrimaryOnly("sweep", Duration.ofMillis(50), Duration.ofMillis(200), run -> { });
        TestNode<Counter> first = cluster.awaitPrimary();
        cluster.advance(Duration.ofMillis(120)); // a run is in progress
        cluster.crash(first);
        TestNode<Counter> second = cluster.awaitPrimary();
        cluster.advance(Duration.ofSeconds(1));

        PrimaryRun cut = cluster.primaryRuns().stream().filter(r -> r.node().equals(first.id())).reduce((a, b) -> b)
                .orElseThrow();
        assertThat(cut.interrupted()).isTrue();
        assertThat(cluster.primaryRuns()).anySatisfy(run -> {
            assertThat(run.node()).isEqualTo(second.id());
            assertThat(run.fencingToken()).isGreaterThan(cut.fencingToken());
        });
        cluster.assertPrimaryOnlyWorkNeverOverlapped();
    }

    @Test
    void a_paused_primary_resumes_its_work_while_another_is_primary_and_the_check_catches_it() {
        TestCluster<Long, Counter> cluster = TestCluster.builder().nodes(3).seed(13).stateMachine(Counter::new).build();
        cluster.schedulePrimaryOnly("billing", Duration.ofMillis(10), Duration.ofMillis(500), run -> { });
        TestNode<Counter> first = cluster.awaitPrimary();
        cluster.advance(Duration.ofMillis(50)); // in the middle of a run
        cluster.pause(first, Duration.ofSeconds(5)); // a long GC pause: the others elect another
        cluster.runUntil(() -> cluster.nodes().stream().anyMatch(n -> n != first && n.isPrimary()));
        cluster.advance(Duration.ofSeconds(6)); // the paused one resumes, works on, then learns

        assertThat(first.isPrimary()).isFalse();
        assertThatThrownBy(cluster::assertPrimaryOnlyWorkNeverOverlapped)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("primary-only work overlapped")
                .hasMessageContaining("billing on " + first.id())
                .hasMessageContaining("seed 13");
    }

    @Test
    void a_job_that_throws_fails_the_test_with_the_seed() {
        TestCluster<Long, Counter> cluster = TestCluster.builder().nodes(3).seed(14).stateMachine(Counter::new).build();
        cluster.schedulePrimaryOnly("broken", Duration.ofMillis(10), Duration.ofMillis(10), run -> {
            throw new IllegalStateException("boom");
        });
        assertThatThrownBy(cluster::awaitPrimary).hasMessageContaining("primary-only job 'broken' threw")
                .hasMessageContaining("seed 14").hasMessageContaining("boom");
    }
}
