package io.clustermode.testkit;

import io.clustermode.StateMachine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test classes run by {@link ClusterTestExtensionTest} through the launcher, not by the build:
 * surefire runs classes named *Test, and these are nested in one that is not.
 */
final class Fixtures {

    private Fixtures() {
    }

    static class FiveSeeds {
        @ClusterTest(seeds = 5, firstSeed = 100)
        void records(long seed) {
            ClusterTestExtensionTest.SEEN.add(seed);
        }
    }

    static class FailsOnSeed3 {
        @ClusterTest(seeds = 4, firstSeed = 1)
        void fails_on_3(long seed) {
            TestCluster<Long, Counter> cluster = TestCluster.builder().seed(seed).stateMachine(Counter::new).build();
            cluster.awaitPrimary();
            assertThat(seed).as("the counter went wrong").isNotEqualTo(3L);
        }
    }

    static class Replay {
        @ClusterTest(seed = 3)
        void replays(long seed) {
            ClusterTestExtensionTest.SEEN.add(seed);
        }
    }

    static class TakesACluster {
        @ClusterTest(seeds = 2, nodes = 5, stateMachine = Counter.class)
        void elects(TestCluster<Long, Counter> cluster) {
            TestNode<Counter> primary = cluster.awaitPrimary();
            assertThat(cluster.nodes()).hasSize(5);
            assertThat(primary.machine()).isInstanceOf(Counter.class);
        }
    }

    static class ClusterWithoutMachine {
        @ClusterTest(seeds = 1)
        void needs_a_machine(TestCluster<Object, StateMachine<Object>> cluster) {
        }
    }
}
