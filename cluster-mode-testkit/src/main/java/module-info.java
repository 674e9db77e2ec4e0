/**
 * cluster-mode's testkit: an application's {@link io.clustermode.StateMachine} and its
 * primary-only work, tested on simulated clusters that run on virtual time from a seed —
 * {@link io.clustermode.testkit.TestCluster}, faults as calls, checks, and the JUnit 5
 * annotation {@link io.clustermode.testkit.ClusterTest} that runs a test once per seed.
 */
module io.clustermode.testkit {
    requires transitive io.clustermode.core;
    requires transitive io.clustermode.linearizability;
    requires transitive org.junit.jupiter.api;
    requires org.slf4j;

    exports io.clustermode.testkit;
    // JUnit instantiates the extension reflectively.
    opens io.clustermode.testkit to org.junit.platform.commons;
}
