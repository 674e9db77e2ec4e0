package io.clustermode.raft;

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

    @Override
    public String toString() {
        return "Snapshot{" + meta.index() + "@" + meta.term() + " " + data.length + "B " + meta.configuration() + "}";
    }
}
