package io.clustermode;

/**
 * Work for a partition was refused because this node does not hold that partition now. Where
 * it is held, if anywhere, is {@link PartitionGroup#owner(int)}; retry there, or here once
 * {@link PartitionListener#onAssigned} says so.
 */
public final class PartitionNotHeldException extends ClusterException {

    private static final long serialVersionUID = 1L;

    /**
     * @param self      the node that refused
     * @param group     the partition group
     * @param partition the partition
     */
    public PartitionNotHeldException(NodeId self, String group, int partition) {
        super(self + " does not hold partition " + group + "/" + partition);
    }
}
