package io.clustermode.testkit;

import io.clustermode.Cluster;
import io.clustermode.ClusterRole;
import io.clustermode.ClusterStatus;
import io.clustermode.NodeId;
import io.clustermode.RoleChange;
import io.clustermode.StateMachine;
import io.clustermode.storage.MemoryStorage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One node of a {@link ClusterSimulation} ({@link TestNode} is the handle tests hold): the real {@link Cluster} its current
 * process runs, the roles its listener was told, and a scheduler on the simulation's virtual
 * time for the application's own timers. A handle stays valid across crashes and restarts;
 * {@link #cluster()} is the current process's (a restart starts a new {@code Cluster} on the
 * node's simulated disk, with a new state machine restored from it).
 *
 * <p>Not thread-safe: a simulation runs on the test's thread.
 *
 * @param <R> the state machine's result type
 * @param <M> the state machine's type
 */
final class SimulatedNode<R, M extends StateMachine<R>> {

    private final NodeId id;
    private final String address;
    /** What survives a crash: everything the node's event loop persisted (it persists before it speaks). */
    final MemoryStorage disk = new MemoryStorage();
    VirtualRuntime runtime;
    Cluster<R, M> cluster;
    M machine;
    ScheduledExecutorService scheduler;
    final List<RoleChange> roles = new ArrayList<>();
    /** The status last written to the trace. */
    String lastStatus;
    /** A request a client made while the node's process was paused, and its call. */
    record Deferred(Call<?> call, Runnable request) {
    }

    /** Requests clients made while the process was paused: they go in when it resumes. */
    final java.util.ArrayDeque<Deferred> deferred = new java.util.ArrayDeque<>();
    /** The handle tests hold. */
    final TestNode<M> handle;

    SimulatedNode(NodeId id, String address) {
        this.id = id;
        this.address = address;
        this.handle = new TestNode<>(this);
    }

    /** The node's id: {@code n1}, {@code n2}, ... */
    public NodeId id() {
        return id;
    }

    /** The address it advertises ({@code n1:7600}, ...). */
    public String address() {
        return address;
    }

    /** Whether its process runs (false between {@link ClusterSimulation#crash} and {@link ClusterSimulation#restart}). */
    public boolean isUp() {
        return runtime != null && runtime.alive();
    }

    /** Whether its process is stopped now by {@link ClusterSimulation#pause}. */
    public boolean isPaused() {
        return isUp() && runtime.pausedUntil() > runtime.time().now();
    }

    /**
     * The real {@code Cluster} of its running process: call it as the application would
     * (submit, read, primaryExecutor, partitions, addListener...). Its futures complete as the
     * simulation runs ({@link ClusterSimulation#advance}); never block on them in a test.
     *
     * @throws IllegalStateException when the node is down
     */
    public Cluster<R, M> cluster() {
        requireUp();
        return cluster;
    }

    /** The state machine of its running process (a stale look, for assertions). */
    public M machine() {
        requireUp();
        return machine;
    }

    /**
     * A scheduler for the application's own timers in this process, on virtual time (what a
     * {@code ScheduledExecutorService} or {@code @Scheduled} is in production). Dies with the process.
     */
    public ScheduledExecutorService scheduler() {
        requireUp();
        return scheduler;
    }

    /** The role the node's {@code Cluster} reports now; INACTIVE when down. */
    public ClusterRole role() {
        return isUp() ? cluster.role() : ClusterRole.INACTIVE;
    }

    /** Every role change its {@code ClusterListener} was told, across its processes, in order. */
    public List<RoleChange> roleChanges() {
        return Collections.unmodifiableList(roles);
    }

    private void requireUp() {
        if (!isUp()) {
            throw new IllegalStateException(id + " is down");
        }
    }

    /** One line: id, role, term, commit and applied index, or DOWN. */
    @Override
    public String toString() {
        if (!isUp()) {
            return id + " DOWN";
        }
        ClusterStatus status = cluster.status();
        return id + " " + status.role() + (isPaused() ? " (paused)" : "") + " term " + status.term() + " commit "
                + status.commitIndex() + " applied " + status.appliedIndex();
    }
}
