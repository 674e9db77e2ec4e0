package io.clustermode.spring;

import io.clustermode.ClusterRole;
import io.clustermode.ClusterStatus;
import io.clustermode.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The book of {@code @PrimaryOnly} runs, against a node status the test sets. */
class PrimaryRunsTest {

    private final AtomicReference<ClusterStatus> status = new AtomicReference<>(status(ClusterRole.INACTIVE, 0));
    private final PrimaryRuns runs = new PrimaryRuns(status::get);
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private static ClusterStatus status(ClusterRole role, long term) {
        return new ClusterStatus(NodeId.of("n1"), role, term, Optional.empty(), true, true, 0, 0, 0, true);
    }

    @Test
    void nothing_runs_before_primacy_is_granted_even_when_the_node_is_primary() {
        status.set(status(ClusterRole.PRIMARY, 4));
        assertThat(runs.begin()).isNull();
        runs.grant(4);
        PrimaryRuns.Run run = runs.begin();
        assertThat(run).isNotNull();
        assertThat(run.token).isEqualTo(4);
        runs.end(run);
    }

    @Test
    void the_status_must_agree_with_the_grant() {
        runs.grant(4);
        status.set(status(ClusterRole.INACTIVE, 3)); // the turn that made it primary is not published yet
        assertThat(endAfter(runs.begin())).isTrue();
        status.set(status(ClusterRole.SECONDARY, 4)); // lost in term 4, the event not yet delivered
        assertThat(runs.begin()).isNull();
        status.set(status(ClusterRole.INACTIVE, 5));
        assertThat(runs.begin()).isNull();
        status.set(new ClusterStatus(NodeId.of("n1"), ClusterRole.PRIMARY, 4, Optional.empty(), true, true, 0, 0, 0,
                false)); // stopped
        assertThat(runs.begin()).isNull();
        status.set(status(ClusterRole.PRIMARY, 4));
        assertThat(runs.isCurrent(4)).isTrue();
        assertThat(runs.isCurrent(3)).isFalse();
        runs.revoke();
        assertThat(runs.begin()).isNull();
        assertThat(runs.isCurrent(4)).isFalse();
    }

    private boolean endAfter(PrimaryRuns.Run run) {
        if (run == null) {
            return false;
        }
        runs.end(run);
        return true;
    }

    @Test
    void a_revocation_interrupts_the_run_and_its_end_clears_the_interrupt() throws Exception {
        status.set(status(ClusterRole.PRIMARY, 7));
        runs.grant(7);
        CountDownLatch started = new CountDownLatch(1);
        Future<Boolean[]> outcome = threads.submit(() -> {
            PrimaryRuns.Run run = runs.begin();
            started.countDown();
            boolean interrupted = false;
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted = true;
                Thread.currentThread().interrupt(); // as well-behaved code restores it
            } finally {
                runs.end(run);
            }
            return new Boolean[] {interrupted, Thread.currentThread().isInterrupted()};
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        runs.revoke();
        Boolean[] seen = outcome.get(10, TimeUnit.SECONDS);
        assertThat(seen[0]).as("interrupted").isTrue();
        assertThat(seen[1]).as("flag left set after the run").isFalse();
    }

    @Test
    void a_new_term_interrupts_the_runs_of_the_old_one() throws Exception {
        status.set(status(ClusterRole.PRIMARY, 7));
        runs.grant(7);
        PrimaryRuns.Run run = runs.begin();
        runs.grant(8);
        assertThat(run.interrupted).isTrue();
        assertThat(Thread.interrupted()).isTrue(); // this thread ran it; clear for the test
        runs.end(run);
        PrimaryRuns.Run next = runs.begin(); // the status of term 7 is older than the grant of 8
        assertThat(next.token).isEqualTo(8);
        runs.end(next);
    }

    @Test
    void a_nested_run_leaves_the_interrupt_to_the_outer_one() {
        status.set(status(ClusterRole.PRIMARY, 2));
        runs.grant(2);
        PrimaryRuns.Run outer = runs.begin();
        PrimaryRuns.Run inner = runs.begin();
        assertThat(runs.current()).isSameAs(inner);
        runs.revoke();
        runs.end(inner);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(runs.current()).isSameAs(outer);
        runs.end(outer);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(runs.current()).isNull();
    }

    @Test
    void a_run_that_was_not_interrupted_keeps_an_interrupt_from_elsewhere() {
        status.set(status(ClusterRole.PRIMARY, 2));
        runs.grant(2);
        PrimaryRuns.Run run = runs.begin();
        Thread.currentThread().interrupt();
        runs.end(run);
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void once_closed_no_grant_lets_runs_start() {
        status.set(status(ClusterRole.PRIMARY, 2));
        runs.close();
        runs.grant(2);
        assertThat(runs.begin()).isNull();
        assertThat(runs.granted()).isEqualTo(PrimaryRuns.NONE);
    }

    @Test
    void awaiting_idle_waits_for_the_other_threads_runs_only() throws Exception {
        status.set(status(ClusterRole.PRIMARY, 2));
        runs.grant(2);
        PrimaryRuns.Run mine = runs.begin();
        assertThat(runs.awaitIdle(Duration.ofMillis(1))).isEmpty();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        threads.submit(() -> {
            PrimaryRuns.Run run = runs.begin();
            started.countDown();
            release.await(); // a run that does not end until the test lets it
            runs.end(run);
            return null;
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        List<Thread> busy = runs.awaitIdle(Duration.ofMillis(50));
        assertThat(busy).hasSize(1);
        release.countDown();
        assertThat(runs.awaitIdle(Duration.ofSeconds(10))).isEmpty();
        runs.end(mine);
    }
}
