package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.AppendRequest;
import io.clustermode.raft.Message.Heartbeat;
import io.clustermode.raft.Message.InstallSnapshot;
import io.clustermode.raft.Message.TimeoutNow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the core has for its driver, and what the driver has acknowledged: the part of etcd's
 * RawNode that turns a state machine's output into {@link Ready} batches. Messages, read states
 * and state changes wait here for the next Ready; the hard state last persisted says whether a
 * Ready must carry a new one; the Ready handed out and not yet advanced keeps inputs out until
 * the driver has carried it out.
 */
final class Output {

    private final NodeId self;
    private final Batch<Message> messages = new Batch<>();
    private final Batch<ReadState> readStates = new Batch<>();
    private final Batch<ForwardResult> forwardResults = new Batch<>();
    private final Batch<StateChange> stateChanges = new Batch<>();
    private final Batch<PartitionEvent> partitionEvents = new Batch<>();
    /** The partition table, when it changed since the last Ready; copied when a Ready takes it. */
    private PartitionTable changedPartitions;
    private Snapshot snapshotToInstall;
    private HardState persistedHardState;
    private StateChange lastAnnounced;
    private Ready outstanding;

    Output(NodeId self, HardState persisted, StateChange started) {
        this.self = self;
        this.persistedHardState = persisted;
        this.lastAnnounced = started;
    }

    /**
     * A list the core fills and a Ready takes whole: a Ready is made after every input, so it
     * takes the list rather than a copy, and the core starts a new one (it never touches a list
     * a Ready holds).
     */
    private static final class Batch<T> {
        private List<T> items = new ArrayList<>();

        List<T> take() {
            if (items.isEmpty()) {
                return List.of();
            }
            List<T> taken = items;
            items = new ArrayList<>();
            return taken;
        }
    }

    void send(Message message) {
        messages.items.add(message);
    }

    /** The answers to reads waiting for the next Ready; ReadIndexQueue adds to it. */
    List<ReadState> readStates() {
        return readStates.items;
    }

    /** What became of forwarded proposals, waiting for the next Ready; Forwarding adds to it. */
    List<ForwardResult> forwardResults() {
        return forwardResults.items;
    }

    /** This node began or stopped holding a partition. */
    void partitionEvent(PartitionEvent event) {
        partitionEvents.items.add(event);
    }

    /** The partition table changed: the next Ready carries a copy. */
    void partitionsChanged(PartitionTable table) {
        changedPartitions = table;
    }

    /** Reports {@code change} unless role, term, leader and readiness are what was last reported. */
    void announce(StateChange change) {
        if (change.role() != lastAnnounced.role() || change.term() != lastAnnounced.term()
                || !Objects.equals(change.leader(), lastAnnounced.leader())
                || change.leaderReady() != lastAnnounced.leaderReady()) {
            stateChanges.items.add(change);
            lastAnnounced = change;
        }
    }

    /** Whether the last change reported said the leader is ready. */
    boolean announcedLeaderReady() {
        return lastAnnounced.leaderReady();
    }

    /** A snapshot from the leader, for the driver to persist and restore. */
    void install(Snapshot snapshot) {
        snapshotToInstall = snapshot;
    }

    void requireNoOutstandingReady() {
        if (outstanding != null) {
            throw new IllegalStateException("the last Ready of " + self + " was not advanced");
        }
    }

    /** Whether there is work for the driver, the core's hard state being {@code hardState}. */
    boolean hasReady(long term, NodeId votedFor, RaftLog log) {
        // asked after every input: compares the fields rather than build a hard state to compare
        return outstanding == null && (!messages.items.isEmpty() || !readStates.items.isEmpty()
                || !stateChanges.items.isEmpty() || !forwardResults.items.isEmpty()
                || !partitionEvents.items.isEmpty() || changedPartitions != null
                || snapshotToInstall != null || term != persistedHardState.term()
                || !Objects.equals(votedFor, persistedHardState.votedFor())
                || log.commitIndex() != persistedHardState.commit()
                || log.stableIndex() < log.lastIndex() || log.appliedIndex() < log.commitIndex());
    }

    /**
     * The work for the driver. Replication messages may leave before the hard state is durable
     * when the term and vote they depend on already are; the others must wait for it.
     */
    Ready ready(HardState hardState, RaftLog log) {
        requireNoOutstandingReady();
        boolean termAndVoteDurable = hardState.term() == persistedHardState.term()
                && Objects.equals(hardState.votedFor(), persistedHardState.votedFor());
        List<Message> all = messages.take();
        int earlyCount = 0;
        for (int i = 0; termAndVoteDurable && i < all.size(); i++) {
            earlyCount += mayGoEarly(all.get(i)) ? 1 : 0;
        }
        List<Message> early = earlyCount == all.size() ? all : List.of();
        List<Message> late = earlyCount == 0 ? all : List.of();
        if (earlyCount > 0 && earlyCount < all.size()) {
            early = new ArrayList<>(earlyCount);
            late = new ArrayList<>(all.size() - earlyCount);
            for (Message message : all) {
                (mayGoEarly(message) ? early : late).add(message);
            }
        }
        Ready ready = new Ready(hardState.equals(persistedHardState) ? null : hardState, log.unstableEntries(),
                snapshotToInstall, early, late, log.entriesToApply(), readStates.take(), forwardResults.take(),
                stateChanges.take(), partitionEvents.take(),
                changedPartitions == null ? null : changedPartitions.copy());
        snapshotToInstall = null;
        changedPartitions = null;
        outstanding = ready;
        return ready;
    }

    private static boolean mayGoEarly(Message message) {
        return message instanceof AppendRequest || message instanceof Heartbeat || message instanceof InstallSnapshot
                || message instanceof TimeoutNow;
    }

    /** The driver has carried out {@code ready}: what it persisted is stable, what it applied applied. */
    void advance(Ready ready, RaftLog log) {
        if (ready != outstanding) {
            throw new IllegalStateException("advance with a Ready that is not the outstanding one");
        }
        outstanding = null;
        if (ready.hardState() != null) {
            persistedHardState = ready.hardState();
        }
        if (ready.snapshot() != null) {
            log.appliedTo(ready.snapshot().index());
        }
        if (!ready.entries().isEmpty()) {
            log.stableTo(ready.entries().get(ready.entries().size() - 1).index());
        }
        if (!ready.committedEntries().isEmpty()) {
            log.appliedTo(ready.committedEntries().get(ready.committedEntries().size() - 1).index());
        }
    }
}
