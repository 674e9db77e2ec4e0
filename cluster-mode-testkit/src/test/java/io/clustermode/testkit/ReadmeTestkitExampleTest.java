package io.clustermode.testkit;

import java.time.Duration;

import static java.nio.charset.StandardCharsets.UTF_8;

/** The README's testkit example, as it is there: it must compile and pass. */
class ReadmeTestkitExampleTest {

    @ClusterTest(seeds = 200)                                   // once per seed, 1..200
    void counts_every_acknowledged_add(long seed) {
        TestCluster<Long, Counter> cluster = TestCluster.builder().nodes(5).seed(seed)
                .stateMachine(Counter::new).build();            // the Counter above
        TestNode<Counter> primary = cluster.awaitPrimary();
        cluster.submit(primary, "5".getBytes(UTF_8));           // a client call, recorded
        cluster.isolate(primary);                               // faults as calls
        TestNode<Counter> next = cluster.awaitPrimary();        // time is virtual: no waiting
        cluster.read(next, counter -> counter.value);
        cluster.heal();
        cluster.advance(Duration.ofSeconds(2));
        cluster.assertLinearizable();                   // the history, against Counter itself as the model
        cluster.assertAtMostOnePrimaryPerTerm();
        cluster.assertStateMachinesEqualAfterHeal();    // snapshots byte for byte: catches clocks, randomness
    }
}
