package io.clustermode.faults.nemesis;

import io.clustermode.cli.launch.ChildProcess;

/**
 * What the nemesis needs from the runner that owns the node processes. Nodes are indices
 * {@code 0..nodes()-1}, node {@code i} on the namespace's address {@code i}.
 */
public interface NodeControl {

    /** How many nodes. */
    int nodes();

    /** How logs name node {@code node}: by default {@code node <index>}. */
    default String name(int node) {
        return "node " + node;
    }

    /** The index of the node that currently says it is primary, or -1 when none does (or none answers). */
    int primary();

    /** Node {@code node}'s current process, a child of this JVM: what kills and pauses are sent to. */
    ChildProcess process(int node);

    /** Starts node {@code node} again, from its data dir, after its process was killed. */
    void restart(int node);

    /** Stops node {@code node} with SIGTERM, waits for its exit, and starts it again from its data dir. */
    void gracefulRestart(int node);

    /** Asks the primary to hand leadership to another node (or does nothing if there is none). */
    void transferLeadership();
}
