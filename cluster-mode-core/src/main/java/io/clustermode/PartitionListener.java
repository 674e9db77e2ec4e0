package io.clustermode;

/**
 * Told when this node begins or stops holding a partition of a {@link PartitionGroup}. Called
 * in order, on the cluster's event thread (the one {@link ClusterListener}s are called on);
 * must not block for long. Both methods do nothing by default.
 */
public interface PartitionListener {

    /**
     * This node holds {@code partition} now, under {@code epoch}: the fencing token to give
     * outside resources, larger than every earlier holding's of this partition.
     */
    default void onAssigned(int partition, long epoch) {
    }

    /**
     * This node no longer holds {@code partition} (held under {@code epoch}): it was moved for
     * balance, this node lost contact with the primary for a lease, left the group, or stopped.
     * Work on it submitted through {@link PartitionGroup#submit(int, java.util.concurrent.Callable)}
     * was interrupted already.
     */
    default void onRevoked(int partition, long epoch) {
    }

    /**
     * In this node's view of the table, {@code partition} changed hands: it is held by
     * {@code owner} now under {@code epoch}, or by nobody (empty owner) since the grant of
     * {@code epoch} ended. For every partition of the group, held here or not; for dashboards and
     * routing. The view may trail the primary's by a round trip.
     */
    default void onOwnerChanged(int partition, java.util.Optional<NodeId> owner, long epoch) {
    }
}
