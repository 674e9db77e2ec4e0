package io.clustermode.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a snapshot replaces: the log up to and including {@code index}.
 *
 * @param index         the last index the snapshot covers
 * @param term          the term of the entry at {@code index}
 * @param configuration the configuration in effect at {@code index}
 * @param partitions    the partition table at {@code index}, encoded; empty when there are no
 *                      partition groups. Never modified.
 */
public record SnapshotMeta(long index, long term, Configuration configuration, byte[] partitions) {

    public SnapshotMeta {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(partitions, "partitions");
    }

    /** A snapshot of a cluster without partition groups. */
    public SnapshotMeta(long index, long term, Configuration configuration) {
        this(index, term, configuration, new byte[0]);
    }

    /** Whether {@code partitions} is a partition table this version can read. */
    public static boolean readablePartitions(byte[] partitions) {
        if (partitions.length == 0) {
            return true;
        }
        try {
            PartitionTable.decode(partitions);
            return true;
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SnapshotMeta m && index == m.index && term == m.term
                && configuration.equals(m.configuration) && Arrays.equals(partitions, m.partitions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, configuration, Arrays.hashCode(partitions));
    }

    @Override
    public String toString() {
        return "SnapshotMeta[index=" + index + ", term=" + term + ", configuration=" + configuration
                + (partitions.length == 0 ? "" : ", partitions=" + partitions.length + "B") + "]";
    }
}
