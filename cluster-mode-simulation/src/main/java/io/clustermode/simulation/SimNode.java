package io.clustermode.simulation;

import io.clustermode.NodeId;
import io.clustermode.raft.RaftCore;
import io.clustermode.runtime.ReadyDriver;

import java.util.ArrayList;
import java.util.List;

/**
 * One simulated node: while it is up, a core carried out by the same {@link ReadyDriver} as a
 * real node's, with a simulated state machine; and a disk that outlives it.
 */
public final class SimNode {

    /** A read answered here: the index its answer reflected, and the acknowledged write it had to see. */
    record AnsweredRead(long appliedIndex, long mustSee) {
    }

    final NodeId id;
    /** When in each tick period this node's clock ticks, so nodes do not tick in lockstep. */
    final int tickPhase;
    /** Time units between this node's ticks: {@link SimCluster#TICK}, or a little off it when clocks drift. */
    int tickPeriod = SimCluster.TICK;
    /** When this node's clock ticks next. */
    long nextTickAt;
    final SimDisk disk = new SimDisk();
    RaftCore core;
    ReadyDriver<Object> driver;
    /** The simulation's own {@link SimStateMachine}, or an application's (the testkit's). */
    io.clustermode.StateMachine<Object> machine;
    long commitSeen;
    /** The last entry applied or restored (every entry, commands or not), for the apply-order check. */
    long appliedSeen;
    int incarnation;
    /** How many times it has asked for (pre-)votes. */
    long campaigns;
    /** When a message from each peer last arrived, in simulated time. */
    final java.util.Map<NodeId, Long> lastHeard = new java.util.HashMap<>();
    /** The bootstrap guard of this incarnation (discovery mode). */
    io.clustermode.membership.BootstrapGuard guard;
    /** The primary's membership rules, state included, of this incarnation (discovery mode). */
    io.clustermode.membership.MembershipPolicy policy;
    /** Reads asked here and not answered yet, in this incarnation. */
    int readsWaiting;
    /** The partitions this incarnation's driver was told it holds: "group/partition" to epoch. */
    final java.util.TreeMap<String, Long> held = new java.util.TreeMap<>();
    /** Reads answered since the last step, to be checked after it. */
    final List<AnsweredRead> answeredReads = new ArrayList<>();

    /**
     * What this node's health check answers now (the simulation flips it); its driver reports it
     * every {@link SimCluster#healthCheckEvery} units, as the runtime's checker thread would.
     */
    boolean checkPassing = true;
    /** Leadership handovers this node started because it was unhealthy (for scenarios). */
    int unhealthyHandovers;

    /** Until when (simulated time) the node's process is stopped: it neither ticks nor receives. */
    long pausedUntil;

    SimNode(NodeId id, int tickPhase) {
        this.id = id;
        this.tickPhase = tickPhase;
    }

    /** The node's id. */
    public NodeId id() {
        return id;
    }

    /**
     * The hash of the simulation's own state machine after the last apply; 0 for an application's
     * state machine, whose state the simulation cannot see cheaply (the testkit compares snapshots).
     */
    long stateHash() {
        return machine instanceof SimStateMachine sim ? sim.hash : 0;
    }

    /** The node's state machine while it is up (the application's, when the cluster was given a factory). */
    public io.clustermode.StateMachine<?> machine() {
        if (machine == null) {
            throw new IllegalStateException(id + " is down");
        }
        return machine;
    }

    /** Makes this node's health check pass or fail from now on; the next check reports it. */
    public void checkPasses(boolean passing) {
        checkPassing = passing;
    }

    /** How many times this node handed leadership over because it was unhealthy. */
    public int unhealthyHandovers() {
        return unhealthyHandovers;
    }

    /** Whether its process is stopped at simulated time {@code now} (see {@link SimCluster#pause}). */
    public boolean isPaused(long now) {
        return pausedUntil > now;
    }

    /** Whether it runs (false between a crash and its restart). */
    public boolean isUp() {
        return core != null;
    }

    /** The running core; fails when the node is down. */
    public RaftCore core() {
        if (core == null) {
            throw new IllegalStateException(id + " is down");
        }
        return core;
    }

    String status() {
        return core == null ? id + " DOWN (disk: term " + disk.hardState.term() + ", " + disk.entries.size()
                + " entries)" : core.status();
    }
}
