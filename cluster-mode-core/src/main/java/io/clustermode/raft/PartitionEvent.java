package io.clustermode.raft;

/**
 * This node began or stopped holding a partition.
 *
 * @param group     the partition group
 * @param partition the partition, 0..count-1
 * @param epoch     the grant's epoch: the fencing token of this holding
 * @param held      true when the node now holds it, false when it gave it up (revoked, lapsed, left)
 * @param reason    why, in a few words, for the log
 */
public record PartitionEvent(String group, int partition, long epoch, boolean held, String reason) {
}
