package io.clustermode.testkit;

import io.clustermode.Cluster;
import io.clustermode.ClusterRole;
import io.clustermode.ClusterStatus;
import io.clustermode.NodeId;
import io.clustermode.RoleChange;
import io.clustermode.StateMachine;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A handle on one node of a {@link TestCluster}: its id, whether it runs, the real
 * {@link Cluster} its current process runs, its role and fencing token as that {@code Cluster}
 * reports them, and its state machine. A handle stays valid across crashes and restarts; what it
 * shows is the current process's (a restart starts a new {@code Cluster} on the node's simulated
 * disk, with a new state machine restored from it).
 *
 * <p>Not thread-safe: a test cluster runs on the test's thread.
 *
 * @param <M> the state machine's type
 */
public final class TestNode<M extends StateMachine<?>> {

    private final SimulatedNode<?, ?> node;

    TestNode(SimulatedNode<?, ?> node) {
        this.node = node;
    }

    SimulatedNode<?, ?> simulated() {
        return node;
    }

    /** The node's id: {@code n1}, {@code n2}, ... */
    public NodeId id() {
        return node.id();
    }

    /** Whether its process runs (false between {@link TestCluster#crash} and {@link TestCluster#restart}). */
    public boolean isUp() {
        return node.isUp();
    }

    /** Whether its process is stopped now by {@link TestCluster#pause}. */
    public boolean isPaused() {
        return node.isPaused();
    }

    /**
     * The real {@code Cluster} of its running process, to call as the application does —
     * {@code submit}, {@code read}, {@code primaryExecutor()}, {@code partitions(...)},
     * {@code addListener}, {@code addHealthCheck}. Its futures complete as the test cluster runs
     * ({@link TestCluster#advance}): never block on them, nor call its blocking methods
     * ({@code awaitPrimary}, {@code close}); use {@link TestCluster#crash} to stop it.
     *
     * @throws IllegalStateException when the node is down
     */
    public Cluster<?, M> cluster() {
        @SuppressWarnings("unchecked")
        Cluster<?, M> cluster = (Cluster<?, M>) node.cluster();
        return cluster;
    }

    /**
     * A scheduler on virtual time for the application's own timers in this process (what its
     * {@code ScheduledExecutorService} or {@code @Scheduled} is in production); dies with the process.
     *
     * @throws IllegalStateException when the node is down
     */
    public ScheduledExecutorService scheduler() {
        return node.scheduler();
    }

    /** The role its {@code Cluster} reports: PRIMARY, SECONDARY or INACTIVE (also when down). A paused primary still is one. */
    public ClusterRole role() {
        return node.role();
    }

    /** Whether it is primary now (see {@link #role()}). */
    public boolean isPrimary() {
        return role() == ClusterRole.PRIMARY;
    }

    /** Its fencing token as {@code Cluster.fencingToken()} gives it (the term of its primacy); empty when not primary. */
    public OptionalLong fencingToken() {
        return node.isUp() ? node.cluster.fencingToken() : OptionalLong.empty();
    }

    /** Every role change its {@code ClusterListener} was told, across its processes, in order. */
    public List<RoleChange> roleChanges() {
        return node.roleChanges();
    }

    /** Its current term; 0 when down. */
    public long term() {
        return node.isUp() ? status().term() : 0;
    }

    /** The index of the last entry its state machine applied; 0 when down. */
    public long appliedIndex() {
        return node.isUp() ? status().appliedIndex() : 0;
    }

    /** The index up to which it knows the log committed; 0 when down. */
    public long commitIndex() {
        return node.isUp() ? status().commitIndex() : 0;
    }

    private ClusterStatus status() {
        return node.cluster.status();
    }

    /**
     * The state machine of its running process, to look at directly (a stale read: for
     * assertions on one node, not for linearizability — use {@link TestCluster#read} for that).
     *
     * @throws IllegalStateException when the node is down
     */
    @SuppressWarnings("unchecked")
    public M machine() {
        return (M) node.machine();
    }

    /** One line: id, role, term, commit and applied index, or DOWN. */
    @Override
    public String toString() {
        return node.toString();
    }
}
