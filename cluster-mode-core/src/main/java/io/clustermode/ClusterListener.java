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
}
