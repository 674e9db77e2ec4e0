package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.AppendRequest;
import io.clustermode.raft.Message.AppendResponse;
import io.clustermode.raft.Message.Heartbeat;
import io.clustermode.raft.Message.HeartbeatResponse;
import io.clustermode.raft.Message.InstallSnapshot;
import io.clustermode.raft.Message.InstallSnapshotResponse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Log replication from both ends (§5.3, §7; thesis §3.5). A leader sends each follower what
 * that follower lacks, as far as the flow control of its {@link Progress} allows — appends,
 * heartbeats, snapshot chunks — and reads each answer into that progress; a follower takes
 * what its leader sends into its log and answers. Whether an answer commits anything, and who
 * leads, are the core's questions; the messages carry the term the core gives.
 */
final class Replication {

    private final NodeId self;
    private final RaftConfig config;
    private final RaftLog log;
    private final ProgressTracker tracker;
    private final Output output;
    private final SnapshotReceiver snapshotReceiver;
    /** The snapshot at the log's compaction point, to send to followers that need it; null before the first. */
    private Snapshot latestSnapshot;

    Replication(NodeId self, RaftConfig config, RaftLog log, ProgressTracker tracker, Output output,
                SnapshotReceiver snapshotReceiver, Snapshot latestSnapshot) {
        this.self = self;
        this.config = config;
        this.log = log;
        this.tracker = tracker;
        this.output = output;
        this.snapshotReceiver = snapshotReceiver;
        this.latestSnapshot = latestSnapshot;
    }

    /** The log now begins after {@code snapshot}: a follower that needs what it covers is sent it. */
    void compacted(Snapshot snapshot) {
        latestSnapshot = snapshot;
    }

    // ------------------------------------------------------------------ leader side

    void broadcastAppend(long term) {
        tracker.forEach((peer, p) -> sendAppend(term, peer, p, true));
    }

    /** Appends {@code commands} as entries of the leader's {@code term} and sends them; returns the first's index. */
    long appendCommands(long term, List<byte[]> commands) {
        long first = log.lastIndex() + 1;
        for (byte[] command : commands) {
            log.append(Entry.command(log.lastIndex() + 1, term, command));
        }
        broadcastAppend(term);
        return first;
    }

    /** Heartbeats of read round {@code round}; each carries the commit index only as far as its follower's log matches. */
    void broadcastHeartbeat(long term, long round) {
        tracker.forEach((peer, p) -> output.send(new Heartbeat(self, peer, term, Math.min(p.match, log.commitIndex()),
                round)));
    }

    /**
     * Heartbeats of read round {@code round} to as few voters as can confirm it with this
     * leader: a quorum's worth, chosen among those that answered the latest rounds (with three
     * voters, the one follower that answered last). The others hear the round with the next
     * periodic heartbeat, which carries the latest round too; so a chosen voter that has gone
     * silent delays the round by at most a heartbeat interval, and the next round goes to one
     * that answers. Safety does not depend on who is asked, only on a majority's answers.
     */
    void heartbeatForRound(long term, long round, Configuration configuration) {
        int needed = configuration.quorum() - (configuration.isVoter(self) ? 1 : 0);
        List<NodeId> voters = new ArrayList<>(configuration.voters().size());
        for (NodeId voter : configuration.voters()) {
            if (!voter.equals(self) && tracker.get(voter) != null) {
                voters.add(voter);
            }
        }
        if (needed <= 0 || needed >= voters.size()) {
            broadcastHeartbeat(term, round);
            return;
        }
        voters.sort(Comparator.comparingLong((NodeId voter) -> tracker.get(voter).ackedSequence).reversed());
        for (int i = 0; i < needed; i++) {
            NodeId peer = voters.get(i);
            Progress p = tracker.get(peer);
            output.send(new Heartbeat(self, peer, term, Math.min(p.match, log.commitIndex()), round));
        }
    }

    /** Sends what {@code peer} lacks, within flow control; an empty append only when {@code allowEmpty}. */
    void sendAppend(long term, NodeId peer, Progress p, boolean allowEmpty) {
        if (p.paused(config.maxInflightAppends())) {
            return;
        }
        long prevIndex = p.next - 1;
        long prevTerm = log.term(prevIndex);
        if (prevTerm == RaftLog.UNKNOWN) {
            // §7: what the follower needs was compacted away.
            sendSnapshot(term, peer, p);
            return;
        }
        List<Entry> entries = log.slice(p.next, config.maxEntriesPerAppend(), config.maxBytesPerAppend());
        if (entries.isEmpty() && !allowEmpty) {
            return;
        }
        output.send(new AppendRequest(self, peer, term, prevIndex, prevTerm, entries, log.commitIndex()));
        tracker.appendSent(p, prevIndex, entries);
    }

    private void sendSnapshot(long term, NodeId peer, Progress p) {
        if (latestSnapshot == null) {
            throw new IllegalStateException(self + " must send a snapshot to " + peer + " but has none");
        }
        byte[] data = latestSnapshot.data();
        int from = (int) Math.min(tracker.snapshotChunkSending(p, latestSnapshot.index()), data.length);
        int to = Math.min(data.length, from + config.snapshotChunkBytes());
        output.send(new InstallSnapshot(self, peer, term, latestSnapshot.meta(), from,
                Arrays.copyOfRange(data, from, to), to == data.length));
    }

    /**
     * Reads the answer to an append into {@code p}. Returns true when the follower holds more
     * than the leader knew: the caller sees whether that commits, then sends on. Anything else —
     * a refusal, or old news — is dealt with here.
     */
    boolean appendAnswered(long term, AppendResponse response, Progress p) {
        if (!response.success()) {
            appendRefused(term, response, p);
            return false;
        }
        if (!tracker.acknowledged(p, response.matchIndex())) {
            if (p.state == Progress.State.PROBE) {
                sendAppend(term, response.from(), p, false);
            }
            return false;
        }
        return true;
    }

    /** §5.3, with the thesis's fast back-off: skip the follower's whole conflicting term at once. */
    private void appendRefused(long term, AppendResponse response, Progress p) {
        if (p.staleRejection(response.prevLogIndex())) {
            return;
        }
        long next = response.conflictIndex();
        if (response.conflictTerm() > 0) {
            long last = log.lastIndexOfTerm(response.conflictTerm(), response.prevLogIndex());
            if (last != RaftLog.UNKNOWN) {
                next = last + 1;
            }
        }
        tracker.probeFrom(p, Math.min(next, response.prevLogIndex()));
        sendAppend(term, response.from(), p, true);
    }

    /** Reads a heartbeat's answer into {@code p}, and sends what the follower turns out to need. */
    void heartbeatAnswered(long term, HeartbeatResponse response, Progress p) {
        boolean needsAppend = tracker.heartbeatAnswered(p, response.sequence(), log.lastIndex());
        if (p.state == Progress.State.SNAPSHOT) {
            sendSnapshot(term, response.from(), p); // the last chunk may have been lost
        } else if (needsAppend) {
            sendAppend(term, response.from(), p, true);
        }
    }

    /**
     * Reads a snapshot chunk's answer into {@code p}. Returns true when the follower installed
     * the snapshot: the caller sees whether that commits, then sends on. Otherwise the next
     * chunk goes, if the answer is about the snapshot being sent.
     */
    boolean snapshotAnswered(long term, InstallSnapshotResponse response, Progress p) {
        if (response.installed()) {
            tracker.snapshotInstalled(p, response.snapshotIndex());
            return true;
        }
        if (tracker.snapshotChunkTaken(p, response.snapshotIndex(), response.nextOffset())) {
            sendSnapshot(term, response.from(), p);
        }
        return false;
    }

    // ------------------------------------------------------------------ follower side

    /**
     * Takes an append from the leader of {@code term} and answers it. Returns whether the
     * configuration in the log may have changed: entries were cut, or a configuration arrived.
     */
    boolean appendReceived(long term, AppendRequest request) {
        if (request.prevLogIndex() < log.commitIndex()) {
            // Everything up to our commit index is committed and so matches the leader; we say no
            // more than the leader sent, so that a leader can refuse any larger acknowledgement.
            long match = Math.min(log.commitIndex(), request.prevLogIndex() + request.entries().size());
            output.send(new AppendResponse(self, request.from(), term, true, request.prevLogIndex(), match, 0, 0));
            return false;
        }
        if (log.matchTerm(request.prevLogIndex(), request.prevLogTerm())) {
            // §5.3: the logs match at prevLogIndex; append, and adopt the leader's commit index
            // as far as these entries reach.
            boolean truncated = log.appendFromLeader(request.prevLogIndex(), request.entries());
            long lastNew = request.prevLogIndex() + request.entries().size();
            log.commitTo(Math.min(request.leaderCommit(), lastNew));
            output.send(new AppendResponse(self, request.from(), term, true, request.prevLogIndex(), lastNew, 0, 0));
            return truncated || request.entries().stream().anyMatch(e -> e.type() == EntryType.CONFIGURATION);
        }
        // §5.3 with the thesis's optimization: tell the leader where our log's conflicting term
        // starts, so it skips the whole term instead of one entry per round trip.
        long conflictIndex;
        long conflictTerm;
        if (request.prevLogIndex() > log.lastIndex()) {
            conflictIndex = log.lastIndex() + 1;
            conflictTerm = 0;
        } else {
            conflictTerm = log.term(request.prevLogIndex());
            conflictIndex = log.firstIndexOfTermAt(request.prevLogIndex());
        }
        output.send(new AppendResponse(self, request.from(), term, false, request.prevLogIndex(), 0, conflictIndex,
                conflictTerm));
        return false;
    }

    /**
     * Takes a heartbeat from the leader of {@code term}: its commit index, as far as this log
     * reaches. The answer tells the leader whether this node is {@code healthy}.
     */
    void heartbeatReceived(long term, Heartbeat heartbeat, boolean healthy) {
        log.commitTo(Math.min(heartbeat.commit(), log.lastIndex()));
        output.send(new HeartbeatResponse(self, heartbeat.from(), term, heartbeat.sequence(), healthy));
    }

    /**
     * Takes a chunk of a snapshot from the leader of {@code term} and answers it. Returns
     * whether it completed the snapshot, which now replaces the log up to its index.
     */
    boolean snapshotChunkReceived(long term, InstallSnapshot chunk) {
        SnapshotMeta meta = chunk.meta();
        if (meta.index() <= log.commitIndex()) {
            // We already hold everything it covers.
            output.send(new InstallSnapshotResponse(self, chunk.from(), term, meta.index(), 0, true));
            return false;
        }
        Snapshot snapshot = snapshotReceiver.take(chunk);
        if (snapshot == null) {
            output.send(new InstallSnapshotResponse(self, chunk.from(), term, meta.index(),
                    snapshotReceiver.nextOffset(chunk), false));
            return false;
        }
        log.restore(meta);
        latestSnapshot = snapshot;
        output.install(snapshot);
        output.send(new InstallSnapshotResponse(self, chunk.from(), term, meta.index(), snapshot.data().length, true));
        return true;
    }
}
