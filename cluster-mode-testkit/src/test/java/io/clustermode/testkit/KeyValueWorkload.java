package io.clustermode.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * One seeded schedule of a key-value cluster: clients write, compare-and-set, delete and read
 * a few keys at random nodes while faults come and go (crashes, restarts, isolation,
 * partitions, pauses, message loss); then the faults stop and the cluster settles.
 */
final class KeyValueWorkload {

    private static final List<String> KEYS = List.of("a", "b", "c");

    private KeyValueWorkload() {
    }

    static TestCluster<String, KeyValueStore> run(long seed, int nodes, boolean trace) {
        TestCluster<String, KeyValueStore> cluster = TestCluster.builder().nodes(nodes).seed(seed)
                .stateMachine(KeyValueStore::new).recordTrace(trace).build();
        Random random = cluster.random();
        cluster.awaitPrimary();
        cluster.dropRate(random.nextDouble() * 0.05);
        int written = 0;
        for (int round = 0; round < 60; round++) {
            List<TestNode<KeyValueStore>> all = cluster.nodes();
            TestNode<KeyValueStore> node = all.get(random.nextInt(nodes));
            String key = KEYS.get(random.nextInt(KEYS.size()));
            int what = random.nextInt(40);
            if (what == 0) {
                cluster.crash(node);
            } else if (what < 3) {
                cluster.restart(node);
            } else if (what == 3) {
                cluster.isolate(node);
            } else if (what == 4) {
                TestNode<KeyValueStore> other = all.get((all.indexOf(node) + 1 + random.nextInt(nodes - 1)) % nodes);
                cluster.partition(node, other);
            } else if (what < 7) {
                cluster.heal();
            } else if (what == 7) {
                cluster.pause(node, Duration.ofMillis(100 + random.nextInt(2000)));
            } else if (what < 20) {
                cluster.read(node, key, store -> store.map.get(key));
            } else if (what < 32) {
                cluster.submit(node, KeyValueStore.put(key, "v" + ++written));
            } else if (what < 37) {
                cluster.submit(node, KeyValueStore.cas(key, "v" + (1 + random.nextInt(Math.max(1, written))),
                        "v" + ++written));
            } else {
                cluster.submit(node, KeyValueStore.delete(key));
            }
            cluster.advance(Duration.ofMillis(random.nextInt(150)));
        }
        cluster.heal();
        cluster.dropRate(0);
        for (TestNode<KeyValueStore> node : cluster.nodes()) {
            cluster.restart(node);
        }
        cluster.advance(Duration.ofSeconds(3)); // calls still waiting settle
        return cluster;
    }
}
