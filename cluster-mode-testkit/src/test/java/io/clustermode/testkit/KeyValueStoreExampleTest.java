package io.clustermode.testkit;

import io.clustermode.Committed;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example to copy for a key-value-like state machine: the history goes to the register
 * checker (the one the fault-injection suite uses), key by key.
 */
class KeyValueStoreExampleTest {

    @Test
    void a_write_acknowledged_before_a_partition_is_read_after_it() {
        TestCluster<String, KeyValueStore> cluster = TestCluster.builder().nodes(3).seed(7)
                .stateMachine(KeyValueStore::new).build();
        TestNode<KeyValueStore> primary = cluster.awaitPrimary();
        Call<Committed<String>> write = cluster.submit(primary, KeyValueStore.put("colour", "blue"));
        cluster.runUntil(write::isDone);
        cluster.isolate(primary);
        TestNode<KeyValueStore> next = cluster.awaitPrimary();
        assertThat(next).isNotSameAs(primary);
        // The new primary's read comes after the write was acknowledged: it must see it. (A read
        // and a write sent at once may be ordered either way: run one, then the other.)
        Call<String> read = cluster.read(next, "colour", store -> store.map.get("colour"));
        cluster.runUntil(read::isDone);
        assertThat(read.value()).isEqualTo("blue");
        Call<Committed<String>> swap = cluster.submit(next, KeyValueStore.cas("colour", "blue", "green"));
        cluster.runUntil(swap::isDone);
        assertThat(swap.value().result()).isEqualTo("ok");
        cluster.assertLinearizable(KeyValueStore.REGISTERS);
        cluster.assertLinearizable(); // the general check agrees
        cluster.assertStateMachinesEqualAfterHeal();
    }

    @ClusterTest(seeds = 40)
    void under_faults_every_key_is_a_linearizable_register(long seed) {
        TestCluster<String, KeyValueStore> cluster = KeyValueWorkload.run(seed, 5, true);
        cluster.assertLinearizable(KeyValueStore.REGISTERS);
        cluster.assertAtMostOnePrimaryPerTerm();
        cluster.assertStateMachinesEqualAfterHeal();
    }
}
