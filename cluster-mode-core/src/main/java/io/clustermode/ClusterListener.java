package io.clustermode;

import java.util.Set;

/**
 * Told about changes of a {@link Cluster}. Calls come one at a time, in order, on the
 * cluster's own notification thread (never on the Raft event loop); a slow listener delays
 * only later notifications.
 */
public interface ClusterListener {

    /** This node's role, or the primary it knows, changed. */
    default void onRoleChange(RoleChange change) {
    }

    /** The members changed (a node joined, was promoted, or left). */
    default void onMembershipChange(Set<Member> members) {
    }

    /**
     * This node cannot go on, and has left the cluster: its storage failed (disk full, an I/O
     * error), its state machine threw, or an {@link Error}. It has stopped being a member, failed
     * every pending request, interrupted its primary-only work and closed its transport; the
     * other nodes carry on as after a crash. Called once, after the {@link #onRoleChange} to
     * {@link ClusterRole#INACTIVE} that names the cause. A process would usually exit now
     * ({@code cluster-mode node} exits with code 3).
     *
     * @param cause what went wrong
     */
    default void onFailure(Throwable cause) {
    }
}
