package io.clustermode.raft;

/** What a log entry carries. */
public enum EntryType {
    /** An application command for the state machine. */
    COMMAND,
    /** The empty entry a new leader appends to commit entries of earlier terms (§8, thesis §6.4). */
    NOOP,
    /** A complete new cluster configuration, in effect as soon as it is appended (thesis §4.1). */
    CONFIGURATION,
    /** Changes of partition ownership, decided by the leader ({@link PartitionChange}s, encoded). */
    PARTITIONS
}
