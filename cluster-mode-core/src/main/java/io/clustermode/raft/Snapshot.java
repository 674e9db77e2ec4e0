package io.clustermode.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * A state machine's state at an index, with its metadata (§7).
 *
 * @param meta what the snapshot covers
 * @param data the state machine's serialized state; never modified
 */
public record Snapshot(SnapshotMeta meta, byte[] data) {
    public Snapshot {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(data, "data");
    }

    public long index() {
        return meta.index();
    }

    public long term() {
        return meta.term();
    }

    /** Snapshots are equal when their metadata and data (by content) are. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Snapshot s && meta.equals(s.meta) && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
        return 31 * meta.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Snapshot{" + meta.index() + "@" + meta.term() + " " + data.length + "B " + meta.configuration() + "}";
    }
}
