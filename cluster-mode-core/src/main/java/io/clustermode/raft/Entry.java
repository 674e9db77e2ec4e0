package io.clustermode.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the replicated log.
 *
 * @param index         position in the log, from 1
 * @param term          the leader's term when the entry was created
 * @param type          what it carries
 * @param data          the command for {@link EntryType#COMMAND}; empty otherwise. Never modified.
 * @param configuration the new configuration for {@link EntryType#CONFIGURATION}; null otherwise
 */
public record Entry(long index, long term, EntryType type, byte[] data, Configuration configuration) {

    private static final byte[] EMPTY = new byte[0];

    public Entry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if ((type == EntryType.CONFIGURATION) != (configuration != null)) {
            throw new IllegalArgumentException("a configuration entry, and only one, carries a configuration");
        }
    }

    public static Entry command(long index, long term, byte[] data) {
        return new Entry(index, term, EntryType.COMMAND, data, null);
    }

    public static Entry noop(long index, long term) {
        return new Entry(index, term, EntryType.NOOP, EMPTY, null);
    }

    /** An entry of partition changes; {@code data} is their encoding. */
    static Entry partitions(long index, long term, java.util.List<PartitionChange> changes) {
        return new Entry(index, term, EntryType.PARTITIONS, PartitionChange.encode(changes), null);
    }

    public static Entry configuration(long index, long term, Configuration configuration) {
        return new Entry(index, term, EntryType.CONFIGURATION, EMPTY, configuration);
    }

    /** A rough size in bytes, used to bound batches. */
    public int sizeEstimate() {
        return 24 + data.length + (configuration == null ? 0 : 16 * (configuration.voters().size() + configuration.learners().size()));
    }

    /** Entries are equal when index, term, type, data and configuration are; data by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Entry e && index == e.index && term == e.term && type == e.type
                && Arrays.equals(data, e.data) && Objects.equals(configuration, e.configuration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, type, Arrays.hashCode(data), configuration);
    }

    @Override
    public String toString() {
        return "Entry{" + index + "@" + term + " " + type + (type == EntryType.COMMAND ? " " + data.length + "B" : "")
                + (configuration != null ? " " + configuration : "") + "}";
    }
}
