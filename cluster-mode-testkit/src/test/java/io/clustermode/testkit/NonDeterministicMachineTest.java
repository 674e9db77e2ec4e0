package io.clustermode.testkit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A state machine that reads the clock in apply is caught: its replicas differ after the heal. */
class NonDeterministicMachineTest {

    @Test
    void a_state_machine_that_reads_the_clock_is_caught_by_the_state_comparison() {
        TestCluster<Long, ClockStampingStore> cluster = TestCluster.builder().nodes(3).seed(5)
                .stateMachine(ClockStampingStore::new).build();
        TestNode<ClockStampingStore> primary = cluster.awaitPrimary();
        for (int i = 0; i < 5; i++) {
            cluster.submit(primary, "tick".getBytes(UTF_8));
        }
        cluster.advance(Duration.ofSeconds(1));
        cluster.assertLinearizable(); // its answers (the count) are fine: only its state is not

        assertThatThrownBy(cluster::assertStateMachinesEqualAfterHeal)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("state machines differ after heal")
                .hasMessageContaining("seed 5");
    }

    @Test
    void the_same_store_without_the_clock_passes() {
        TestCluster<String, KeyValueStore> cluster = TestCluster.builder().nodes(3).seed(5)
                .stateMachine(KeyValueStore::new).build();
        TestNode<KeyValueStore> primary = cluster.awaitPrimary();
        for (int i = 0; i < 5; i++) {
            cluster.submit(primary, KeyValueStore.put("k" + i, "v"));
        }
        cluster.advance(Duration.ofSeconds(1));
        cluster.assertStateMachinesEqualAfterHeal();
    }
}
