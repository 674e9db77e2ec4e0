package io.clustermode.simulation;

import io.clustermode.raft.NodeId;
import io.clustermode.raft.RaftCore;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** One simulated node: a core while it is up, and a disk that outlives it. */
public final class SimNode {

    /** A read confirmed by the leader, waiting until the state machine reaches its index. */
    record ConfirmedRead(long index, long mustSee) {
    }

    final NodeId id;
    /** When in each tick period this node's clock ticks, so nodes do not tick in lockstep. */
    final int tickPhase;
    final SimDisk disk = new SimDisk();
    RaftCore core;
    SimStateMachine machine = new SimStateMachine();
    long commitSeen;
    boolean crashDuringNextWrite;
    int incarnation;
    /** How many times it has asked for (pre-)votes. */
    long campaigns;
    /** When a message from each peer last arrived, in simulated time. */
    final java.util.Map<NodeId, Long> lastHeard = new java.util.HashMap<>();
    /** The bootstrap guard of this incarnation (discovery mode). */
    io.clustermode.membership.BootstrapGuard guard;
    /** The primary's membership rules, state included, of this incarnation (discovery mode). */
    io.clustermode.membership.MembershipPolicy policy;
    /** Proposals accepted here: index to term. */
    final TreeMap<Long, Long> pendingWrites = new TreeMap<>();
    /** Reads asked for here: request id to the highest acknowledged write index when they were asked. */
    final TreeMap<Long, Long> pendingReads = new TreeMap<>();
    final List<ConfirmedRead> confirmedReads = new ArrayList<>();

    SimNode(NodeId id, int tickPhase) {
        this.id = id;
        this.tickPhase = tickPhase;
    }

    public NodeId id() {
        return id;
    }

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
