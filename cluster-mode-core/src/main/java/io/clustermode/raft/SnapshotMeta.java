package io.clustermode.raft;

import java.util.Objects;

/**
 * What a snapshot replaces: the log up to and including {@code index}.
 *
 * @param index         the last index the snapshot covers
 * @param term          the term of the entry at {@code index}
 * @param configuration the configuration in effect at {@code index}
 */
public record SnapshotMeta(long index, long term, Configuration configuration) {
    public SnapshotMeta {
        Objects.requireNonNull(configuration, "configuration");
    }
}
