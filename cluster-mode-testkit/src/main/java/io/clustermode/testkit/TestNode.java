package io.clustermode.testkit;

import io.clustermode.ClusterRole;
import io.clustermode.NodeId;
import io.clustermode.StateMachine;
import io.clustermode.raft.RaftCore;
import io.clustermode.raft.Role;
import io.clustermode.simulation.SimNode;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;

/**
 * A handle on one node of a {@link TestCluster}: its id, whether it runs, its role as the
 * application would see it, and its state machine. A handle stays valid across crashes and
 * restarts; the state machine it shows is the current process's (a restart makes a new one and
 * restores it from the node's simulated disk).
 *
 * <p>Not thread-safe: a test cluster runs on the test's thread.
 *
 * @param <M> the state machine's type
 */
public final class TestNode<M extends StateMachine<?>> {

    final SimNode sim;
    private final TestCluster<?, M> cluster;
    /** A request a client made while the node's process was stopped, and its call. */
    record Deferred(Call<?> call, Runnable request) {
    }

    /** Requests a client made while the node's process was stopped: sent when it resumes. */
    final Deque<Deferred> deferred = new ArrayDeque<>();
    /** The term of this node's primacy, or -1 when it is not primary (as its driver announced). */
    long primaryTerm = -1;

    TestNode(SimNode sim, TestCluster<?, M> cluster) {
        this.sim = sim;
        this.cluster = cluster;
    }

    /** The node's id: {@code n1}, {@code n2}, ... */
    public NodeId id() {
        return sim.id();
    }

    /** Whether its process runs (false between {@link TestCluster#crash} and {@link TestCluster#restart}). */
    public boolean isUp() {
        return sim.isUp();
    }

    /** Whether its process is stopped now by {@link TestCluster#pause}. */
    public boolean isPaused() {
        return sim.isUp() && sim.isPaused(cluster.sim.now());
    }

    /**
     * The role the application would be told: {@link ClusterRole#PRIMARY} from the moment its
     * driver announced leadership until it announced otherwise (a paused primary still is one,
     * as a stopped process still believes it is); {@link ClusterRole#SECONDARY} for a member that
     * follows a known primary; else {@link ClusterRole#INACTIVE} (also when down).
     */
    public ClusterRole role() {
        if (!sim.isUp()) {
            return ClusterRole.INACTIVE;
        }
        RaftCore core = sim.core();
        if (core.role() == Role.LEADER) {
            return ClusterRole.PRIMARY;
        }
        return core.role() == Role.FOLLOWER && core.leader() != null && core.configuration().contains(id())
                ? ClusterRole.SECONDARY : ClusterRole.INACTIVE;
    }

    /** Whether it is primary now (see {@link #role()}). */
    public boolean isPrimary() {
        return role() == ClusterRole.PRIMARY;
    }

    /** The fencing token of its primacy (the term), as {@code Cluster.fencingToken()} gives it; empty when not primary. */
    public OptionalLong fencingToken() {
        return isPrimary() ? OptionalLong.of(sim.core().term()) : OptionalLong.empty();
    }

    /** Its current term; 0 when down. */
    public long term() {
        return sim.isUp() ? sim.core().term() : 0;
    }

    /** The index of the last entry its state machine applied; 0 when down. */
    public long appliedIndex() {
        return sim.isUp() ? sim.core().appliedIndex() : 0;
    }

    /** The index up to which it knows the log committed; 0 when down. */
    public long commitIndex() {
        return sim.isUp() ? sim.core().commitIndex() : 0;
    }

    /**
     * The state machine of its running process, to look at directly (a stale read: for
     * assertions on one node, not for linearizability — use {@link TestCluster#read} for that).
     *
     * @throws IllegalStateException when the node is down
     */
    @SuppressWarnings("unchecked")
    public M machine() {
        return (M) sim.machine();
    }

    /** One line: id, role, term, commit and applied index, or DOWN. */
    @Override
    public String toString() {
        if (!sim.isUp()) {
            return id() + " DOWN";
        }
        return id() + " " + role() + (isPaused() ? " (paused)" : "") + " term " + term() + " commit "
                + commitIndex() + " applied " + appliedIndex();
    }
}
