package io.clustermode.faults;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.LinearizabilityChecker;
import io.clustermode.linearizability.OpKind;
import io.clustermode.linearizability.Outcome;
import io.clustermode.linearizability.Verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The workload and the checker end to end over HTTP, against fake nodes: a correct one and one with stale reads. */
class WorkloadTest {

    private static History run(long staleMillisOnSecondNode) throws Exception {
        FakeKvNode.Store store = new FakeKvNode.Store();
        try (FakeKvNode a = new FakeKvNode(store, 0); FakeKvNode b = new FakeKvNode(store, staleMillisOnSecondNode)) {
            History.Recorder recorder = new History.Recorder();
            Workload.Config config = new Workload.Config(4, List.of("x", "y"), Duration.ofSeconds(2), 0.5, 0.25, 0.05, 100);
            Workload workload = new Workload(List.of(a.uri(), b.uri()), config, 1, recorder);
            workload.start();
            // Until enough operations, not for a fixed time: a cold JVM on a busy machine may
            // take a second to send its first requests.
            long until = System.nanoTime() + 15_000_000_000L;
            while (recorder.history().size() < 300 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            workload.stop();
            History h = recorder.history();
            System.out.println("workload: " + h.size() + " operations, " + h.countByOutcome());
            return h;
        }
    }

    @Test
    void a_linearizable_store_gives_a_linearizable_history() throws Exception {
        History h = run(0);
        assertThat(h.size()).isGreaterThanOrEqualTo(300);
        assertThat(h.operations()).anyMatch(op -> op.kind() == OpKind.CAS && op.outcome() == Outcome.OK);
        // Keys rotate every 100 operations each: x, y, x.g1, y.g1, ...
        assertThat(h.byKey()).containsKeys("x", "y", "x.g1", "y.g1");
        assertThat(h.byKey().values()).allMatch(ops -> ops.size() < 100 + 60);
        var result = new LinearizabilityChecker().check(h);
        assertThat(result.verdict()).as(result.describe()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void a_node_answering_reads_from_a_stale_copy_is_caught() throws Exception {
        History h = run(50);
        var result = new LinearizabilityChecker().check(h);
        assertThat(result.verdict()).as(result.describe()).isEqualTo(Verdict.VIOLATION);
        System.out.println("workload: stale reads caught in a history of " + h.size() + " operations:\n"
                + result.violations().get(0).describe());
    }
}
