package io.clustermode.raft;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Settings of a {@link RaftCore}. Time is counted in ticks: the driver decides how long a
 * tick is (the runtime maps milliseconds to ticks). Check-quorum is always on.
 *
 * @param electionTicks       base election timeout, in ticks. A follower that hears nothing
 *                            from a leader for a random time between this and twice this
 *                            starts an election; a leader that has not heard from a majority
 *                            within this many ticks steps down (check-quorum). Default 10.
 * @param heartbeatTicks      ticks between a leader's heartbeats; must be well below
 *                            {@code electionTicks} (at most a third of it). Default 1.
 * @param maxInflightAppends  appends sent to one follower and not yet acknowledged, at most
 *                            (pipelining; bounds the memory a slow follower costs). Default 256.
 * @param maxEntriesPerAppend entries in one append, at most (batching). Default 256.
 * @param maxBytesPerAppend   bytes of entries in one append, roughly, at most; a single larger
 *                            entry still goes alone. Default 1 MiB.
 * @param snapshotChunkBytes  bytes per snapshot chunk. Default 1 MiB.
 * @param maxSnapshotBytes    the largest snapshot a follower accepts from its leader, in bytes;
 *                            chunks beyond it are refused, so a faulty peer cannot make a follower
 *                            buffer without bound. Must exceed the largest state the state machine
 *                            can hold. Default 1 GiB.
 * @param preVote             whether a node asks whether it could win before it raises its term
 *                            (thesis §9.6), so a node that rejoins after a partition does not
 *                            depose a working leader. Default true; turning it off is for tests.
 * @param healthRecoveryTicks ticks of passing health reports in a row after which a node that
 *                            failed its health check counts as healthy again (see
 *                            {@link RaftCore#reportHealth(boolean)}). The hysteresis keeps a flapping
 *                            check from bouncing leadership. Default 3000 (30 s at the runtime's
 *                            default 10 ms tick).
 * @param canaries            deliberately broken rules, for tests only; empty by default
 */
public record RaftConfig(int electionTicks, int heartbeatTicks, int maxInflightAppends, int maxEntriesPerAppend,
                         int maxBytesPerAppend, int snapshotChunkBytes, int maxSnapshotBytes, boolean preVote,
                         int healthRecoveryTicks, Set<Canary> canaries) {

    public RaftConfig {
        requirePositive("electionTicks", electionTicks);
        requirePositive("heartbeatTicks", heartbeatTicks);
        requirePositive("maxInflightAppends", maxInflightAppends);
        requirePositive("maxEntriesPerAppend", maxEntriesPerAppend);
        requirePositive("maxBytesPerAppend", maxBytesPerAppend);
        requirePositive("snapshotChunkBytes", snapshotChunkBytes);
        requirePositive("maxSnapshotBytes", maxSnapshotBytes);
        requirePositive("healthRecoveryTicks", healthRecoveryTicks);
        if (heartbeatTicks * 3 > electionTicks) {
            throw new IllegalArgumentException("heartbeatTicks (" + heartbeatTicks
                    + ") must be at most a third of electionTicks (" + electionTicks + ")");
        }
        canaries = canaries.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(canaries));
    }

    /** The defaults. */
    public static RaftConfig defaults() {
        return new RaftConfig(10, 1, 256, 256, 1 << 20, 1 << 20, 1 << 30, true, 3000, Set.of());
    }

    public RaftConfig withElectionTicks(int ticks) {
        return new RaftConfig(ticks, heartbeatTicks, maxInflightAppends, maxEntriesPerAppend, maxBytesPerAppend,
                snapshotChunkBytes, maxSnapshotBytes, preVote, healthRecoveryTicks, canaries);
    }

    public RaftConfig withHeartbeatTicks(int ticks) {
        return new RaftConfig(electionTicks, ticks, maxInflightAppends, maxEntriesPerAppend, maxBytesPerAppend,
                snapshotChunkBytes, maxSnapshotBytes, preVote, healthRecoveryTicks, canaries);
    }

    public RaftConfig withBatching(int maxInflight, int maxEntries, int maxBytes) {
        return new RaftConfig(electionTicks, heartbeatTicks, maxInflight, maxEntries, maxBytes, snapshotChunkBytes,
                maxSnapshotBytes, preVote, healthRecoveryTicks, canaries);
    }

    public RaftConfig withSnapshotChunkBytes(int bytes) {
        return new RaftConfig(electionTicks, heartbeatTicks, maxInflightAppends, maxEntriesPerAppend,
                maxBytesPerAppend, bytes, maxSnapshotBytes, preVote, healthRecoveryTicks, canaries);
    }

    public RaftConfig withMaxSnapshotBytes(int bytes) {
        return new RaftConfig(electionTicks, heartbeatTicks, maxInflightAppends, maxEntriesPerAppend,
                maxBytesPerAppend, snapshotChunkBytes, bytes, preVote, healthRecoveryTicks, canaries);
    }

    public RaftConfig withPreVote(boolean enabled) {
        return new RaftConfig(electionTicks, heartbeatTicks, maxInflightAppends, maxEntriesPerAppend,
                maxBytesPerAppend, snapshotChunkBytes, maxSnapshotBytes, enabled, healthRecoveryTicks, canaries);
    }

    public RaftConfig withHealthRecoveryTicks(int ticks) {
        return new RaftConfig(electionTicks, heartbeatTicks, maxInflightAppends, maxEntriesPerAppend,
                maxBytesPerAppend, snapshotChunkBytes, maxSnapshotBytes, preVote, ticks, canaries);
    }

    /** For tests only: these rules are broken on purpose. */
    public RaftConfig withCanaries(Set<Canary> broken) {
        return new RaftConfig(electionTicks, heartbeatTicks, maxInflightAppends, maxEntriesPerAppend,
                maxBytesPerAppend, snapshotChunkBytes, maxSnapshotBytes, preVote, healthRecoveryTicks, broken);
    }

    public boolean broken(Canary canary) {
        return canaries.contains(canary);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
