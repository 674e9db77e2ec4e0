/**
 * The deterministic simulation of cluster-mode: whole clusters of Raft cores, each carried out
 * by the runtime's own Ready driver, under seeded faults, with Raft's invariants checked after
 * every step.
 */
module io.clustermode.simulation {
    requires io.clustermode.core;

    exports io.clustermode.simulation;
}
