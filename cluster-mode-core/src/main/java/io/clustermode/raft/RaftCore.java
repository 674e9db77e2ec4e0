package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.AppendRequest;
import io.clustermode.raft.Message.AppendResponse;
import io.clustermode.raft.Message.ForwardRequest;
import io.clustermode.raft.Message.ForwardResponse;
import io.clustermode.raft.Message.Heartbeat;
import io.clustermode.raft.Message.HeartbeatResponse;
import io.clustermode.raft.Message.InstallSnapshot;
import io.clustermode.raft.Message.InstallSnapshotResponse;
import io.clustermode.raft.Message.ReadIndexRequest;
import io.clustermode.raft.Message.ReadIndexResponse;
import io.clustermode.raft.Message.TimeoutNow;
import io.clustermode.raft.Message.VoteRequest;
import io.clustermode.raft.Message.VoteResponse;
import io.clustermode.raft.ProposeResult.Accepted;
import io.clustermode.raft.ProposeResult.Reason;
import io.clustermode.raft.ProposeResult.Rejected;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * One node's Raft, as a pure and deterministic state machine. It has no threads, sockets,
 * files or clock: time is {@link #tick()}, randomness is the {@link Random} it is given, and
 * everything it wants done comes out as a {@link Ready} batch. The same inputs in the same
 * order give the same outputs.
 *
 * <h2>How a driver uses it</h2>
 * Feed it inputs — {@link #tick()}, {@link #step(Message)}, {@link #propose(byte[])},
 * {@link #readIndex(long)}, {@link #forward(long, List)}, {@link #transferLeadership(NodeId)},
 * {@link #changeConfiguration(ConfigChange)} — then, when {@link #hasReady()}, take
 * {@link #ready()}, carry it out in the order its documentation gives (persist, send, apply),
 * and call {@link #advance(Ready)}. No input may be given between {@code ready()} and
 * {@code advance()}.
 *
 * <h2>Threading</h2>
 * Not thread-safe: one thread owns a core.
 *
 * <h2>What it implements</h2>
 * Leader election with randomized timeouts, pre-vote and check-quorum; log replication with
 * fast back-off, batching and pipelining; commit of the current term's entries only; a no-op
 * at the start of each term; ReadIndex reads, also on followers; proposals forwarded by
 * followers; leadership transfer; learners; one-at-a-time
 * configuration changes through the log; snapshots sent in chunks. Each rule cites the Raft
 * paper (§) or Ongaro's thesis.
 */
public final class RaftCore {

    private final NodeId self;
    private final RaftConfig config;
    private final RaftLog log;

    private long term;
    private NodeId votedFor;
    private Role role = Role.FOLLOWER;
    private NodeId leader;
    private Configuration configuration;
    private long configurationIndex;

    private final Elections elections;
    private final Replication replication;
    /** Assembles the leader's snapshots for replication; the core asks it first whether a chunk is too large. */
    private final SnapshotReceiver snapshotReceiver;
    private final Output output;
    /** A follower's proposals and reads handed to its leader. */
    private final Forwarding forwarding;
    /** Partition ownership: what this node holds, and on the leader who gets what. */
    private final Partitions partitions;
    /** This node's health as its driver's checks report it, with hysteresis. */
    private final Health health;
    /** Set while an unhealthy leader stays because no voter is known to be healthy; null otherwise. */
    private String healthNote;

    // Leader only.
    private final ProgressTracker tracker;
    private int heartbeatElapsed;
    private NodeId transferee;
    private int transferElapsed;
    /** For a leader: the tick at which check-quorum must look again (see {@link #lostQuorum}). */
    private long quorumCheckAt = Long.MAX_VALUE;
    /** Why this leader started the transfer under way, when it did so itself (health); null for a driver's request. */
    private String transferCause;
    private final ReadIndexQueue reads;

    private RaftCore(NodeId self, RaftConfig config, Random random, HardState hardState, Snapshot snapshot,
                     List<Entry> entries) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(random, "random");
        this.tracker = new ProgressTracker(self);
        this.snapshotReceiver = new SnapshotReceiver(config.maxSnapshotBytes());
        SnapshotMeta meta = snapshot == null ? new SnapshotMeta(0, 0, Configuration.EMPTY) : snapshot.meta();
        this.log = new RaftLog(meta, entries, hardState.commit());
        // The log may hold entries of a term whose hard state did not reach the disk before a
        // crash; nothing was sent in that term, so adopting it without a vote is safe.
        this.term = Math.max(hardState.term(), log.lastTerm());
        this.votedFor = term == hardState.term() ? hardState.votedFor() : null;
        refreshConfiguration();
        this.elections = new Elections(self, config, random, log);
        this.output = new Output(self, hardState, new StateChange(role, term, leader, false, "started"));
        this.replication = new Replication(self, config, log, tracker, output, snapshotReceiver, snapshot);
        this.reads = new ReadIndexQueue(self, config, log, tracker, replication, output);
        this.forwarding = new Forwarding(self, config, output);
        this.partitions = new Partitions(self, config, output, meta.partitions(), log.lastIndex());
        this.health = new Health(config);
    }

    /** A core for a node that has never run: empty log, term 0, no configuration. */
    public static RaftCore create(NodeId self, RaftConfig config, Random random) {
        return new RaftCore(self, config, random, HardState.EMPTY, null, List.of());
    }

    /**
     * A core restarted from what its driver persisted.
     *
     * @param hardState the last persisted hard state
     * @param snapshot  the last persisted snapshot; null when none
     * @param entries   the persisted entries after the snapshot, contiguous
     * @throws IllegalArgumentException when the persisted state is inconsistent
     */
    public static RaftCore restart(NodeId self, RaftConfig config, Random random, HardState hardState,
                                   Snapshot snapshot, List<Entry> entries) {
        return new RaftCore(self, config, random, hardState, snapshot, entries);
    }

    /**
     * Starts a new cluster with {@code initial} as its first configuration, committed at
     * index 1 in term 1. Every node that bootstraps the same cluster must bootstrap the same
     * configuration; nodes that join later are added with {@link #changeConfiguration}.
     *
     * @throws IllegalStateException when this node already has a log or a term
     */
    public void bootstrap(Configuration initial) {
        requireNoOutstandingReady();
        if (log.lastIndex() != 0 || term != 0) {
            throw new IllegalStateException(self + " cannot bootstrap: it already has state (term " + term
                    + ", last index " + log.lastIndex() + ")");
        }
        if (initial.voters().isEmpty()) {
            throw new IllegalArgumentException("the initial configuration needs at least one voter");
        }
        term = 1;
        log.append(Entry.configuration(1, 1, initial));
        log.commitTo(1);
        refreshConfiguration();
        if (initial.voters().size() == 1 && initial.isVoter(self)) {
            // Alone, nobody else can lead: campaign at the next tick, not an election timeout later.
            elections.timeOutIn(1);
        }
    }

    // ------------------------------------------------------------------ inputs

    /** One unit of time has passed. */
    public void tick() {
        requireNoOutstandingReady();
        if (health.tick()) {
            healthChanged();
        }
        forwarding.tick();
        partitions.tick();
        tracker.tick();
        if (role == Role.LEADER) {
            tickLeader();
        } else {
            tickElection();
        }
        tickPartitions();
    }

    private void tickPartitions() {
        if (role != Role.LEADER) {
            Message.PartitionReport report = partitions.maybeReport(term, leader);
            if (report != null) {
                send(report);
            }
        }
        partitions.refresh(role == Role.LEADER);
    }

    /** The leader decides on partition ownership: one entry of changes, when there are any. */
    private void decidePartitions() {
        if (role == Role.LEADER && transferee == null) {
            long index = log.lastIndex() + 1;
            List<PartitionChange> changes = partitions.decide(configuration, log.appliedIndex(), index);
            if (!changes.isEmpty()) {
                appendAsLeader(Entry.partitions(index, term, changes));
            }
        }
    }

    /**
     * How many {@link #tick()} calls from now until one may do something: campaign, send a
     * heartbeat, check the quorum, give up a transfer. The calls before that one only count,
     * so a driver may sleep until then, or catch up on missed ticks before handling messages
     * without firing a timer early. At least 1.
     */
    public int ticksUntilTimer() {
        int ticks;
        if (role == Role.LEADER) {
            ticks = Math.min(config.heartbeatTicks() - heartbeatElapsed, elections.ticksUntilLeaseRound());
            ticks = (int) Math.min(ticks, Math.max(1, quorumCheckAt - tracker.ticks()));
            if (transferee != null) {
                ticks = Math.min(ticks, config.electionTicks() - transferElapsed);
            }
        } else {
            ticks = Math.min(elections.ticksUntilTimeout(), forwarding.ticksUntilTimeout());
            // Recovering health shortens the wait before campaigning: that tick may campaign.
            ticks = Math.min(ticks, health.ticksUntilRecovered());
        }
        ticks = Math.min(ticks, partitions.ticksUntilTimer(role == Role.LEADER, leader));
        return Math.max(1, ticks);
    }

    private void tickElection() {
        elections.tick();
        if (elections.leaseEndedNow() && role == Role.FOLLOWER) {
            answerDeferredPreVotes(); // the lease ran out without word from the leader
        }
        if (elections.timedOut()) {
            if (promotable()) {
                campaign(config.preVote(), false, "election timeout");
            } else if (leader != null) {
                // A learner cannot campaign, but it must not keep a leader it no longer hears
                // from: that leader's lease would make it ignore the candidates that replace it.
                becomeFollower(term, null, "no word from the leader for an election timeout");
            }
        }
    }

    private void tickLeader() {
        heartbeatElapsed++;
        boolean roundEnded = elections.tickLeader();
        if (transferee != null && ++transferElapsed >= config.electionTicks()) {
            // Thesis §3.10: abort a transfer that does not finish within an election timeout.
            // The target is dead, cut off or unhealthy: not a successor again until it answers
            // a heartbeat saying it is healthy.
            tracker.healthReported(transferee, false);
            transferee = null;
            transferCause = null;
        }
        boolean heartbeatDue = heartbeatElapsed >= config.heartbeatTicks();
        // The armed moment alone would do while the voters stay; at heartbeats and lease rounds
        // too, because removing a recently heard voter can make the quorum's last contact older.
        if ((roundEnded || heartbeatDue || tracker.ticks() >= quorumCheckAt) && lostQuorum()) {
            becomeFollower(term, null, "lost contact with a majority (check-quorum)");
            return;
        }
        if (roundEnded) {
            partitions.leaderLeaseRenewed();
        }
        if (heartbeatDue) {
            heartbeatElapsed = 0;
            replication.broadcastHeartbeat(term, reads.sequence());
            decidePartitions(); // holders' leases run out with time
            maybeHandOver(); // a transfer given up on, or a successor that became healthy
        }
    }

    /**
     * Check-quorum (thesis §6.2) over a sliding window: whether an election timeout less a tick
     * has passed since a majority was last heard from. Such a leader steps down no later than
     * the followers it lost could elect another: their leases of it end a whole election timeout
     * after they last heard it, and a campaign takes round trips more. (Checked in rounds of a
     * whole timeout, as before, a cut-off leader led on for up to twice that, beside its
     * successor.) Also arms the precise moment of the next check.
     */
    private boolean lostQuorum() {
        long window = config.electionTicks() - 1;
        long contact = tracker.quorumContact(configuration);
        quorumCheckAt = contact + window;
        return tracker.ticks() >= quorumCheckAt;
    }

    // ------------------------------------------------------------------ health

    /**
     * The driver's latest health-check result for this node (true: every check passes). A
     * failing report makes the node unhealthy at once; it is healthy again only after
     * {@link RaftConfig#healthRecoveryTicks()} ticks of passing reports, so a flapping check
     * does not bounce leadership. A node that never got a report is healthy.
     *
     * <p>An unhealthy leader hands leadership over ({@link #transferLeadership}) to a voter that
     * said in its last heartbeat answer that it is healthy, the most caught-up first; when no
     * voter is, it stays (an unhealthy leader beats none) and {@link #healthNote()} says so. An
     * unhealthy follower ignores a leader's TimeoutNow and campaigns only after three election
     * timeouts of silence instead of one, so healthy nodes win first, yet a cluster of only
     * unhealthy nodes still elects one. Health never touches a vote: safety is unchanged.
     */
    public void reportHealth(boolean passing) {
        requireNoOutstandingReady();
        if (health.report(passing)) {
            healthChanged();
        }
        maybeHandOver();
    }

    /**
     * Whether this node leads and has committed an entry of its own term: from then on what it
     * has applied includes every entry committed before its election (see
     * {@link StateChange#leaderReady()}).
     */
    public boolean leaderReady() {
        return role == Role.LEADER
                && (log.term(log.commitIndex()) == term || config.broken(Canary.PRIMARY_BEFORE_TERM_COMMIT));
    }

    /** Whether this node counts as healthy (see {@link #reportHealth(boolean)}). */
    public boolean healthy() {
        return health.healthy();
    }

    /**
     * Set while this node leads although unhealthy because no voter is known to be healthy (an
     * unhealthy leader beats none); null otherwise. The driver may log it when it changes.
     */
    public String healthNote() {
        return healthNote;
    }

    private void healthChanged() {
        elections.campaignSlowly(!health.healthy());
        if (health.healthy()) {
            healthNote = null;
        }
    }

    /** An unhealthy leader hands over to a healthy voter when there is one, and says so when there is none. */
    private void maybeHandOver() {
        if (role != Role.LEADER || health.healthy() || transferee != null) {
            return;
        }
        NodeId successor = tracker.healthySuccessor(configuration);
        if (successor == null) {
            healthNote = "unhealthy, but no other voter is known to be healthy: staying leader";
            return;
        }
        healthNote = null;
        startTransfer(successor);
        transferCause = "unhealthy";
    }

    /**
     * The driver learned that {@code peer} is probably gone: its connection broke or was
     * refused (a process that dies resets its connections). A hint, never trusted for safety:
     * when the peer is this follower's leader, the follower forgets it and campaigns soon instead
     * of after a whole election timeout — the survivors take turns by rank (see
     * {@code Elections.takeTurnAfter}), so they do not all campaign at once. With pre-vote the campaign cannot
     * disrupt a leader that is in fact alive: voters that still hear from it refuse (thesis
     * §9.6). Without pre-vote the hint is ignored.
     */
    public void peerUnreachable(NodeId peer) {
        requireNoOutstandingReady();
        if (!config.preVote() || role != Role.FOLLOWER || !peer.equals(leader) || !promotable()) {
            return;
        }
        becomeFollower(term, null, "lost the connection to leader " + peer);
        elections.takeTurnAfter(peer, configuration);
        answerDeferredPreVotes();
    }

    private void answerDeferredPreVotes() {
        for (VoteRequest request : elections.takeDeferredPreVotes()) {
            if (request.term() > term) {
                handleVoteRequest(request);
            }
        }
    }

    /**
     * Takes a message from another core. Messages from the past or the future are handled
     * by the term rules of §5.1, with pre-vote's exceptions (thesis §9.6).
     *
     * <p>A message that no honest core could have sent — a term or index out of range, a second
     * leader in a term, an acknowledgement of entries never sent, a read round never started, a
     * snapshot beyond {@link RaftConfig#maxSnapshotBytes()} — changes nothing and is refused.
     *
     * @return why the message was refused; empty when it was taken
     */
    public Optional<String> step(Message message) {
        requireNoOutstandingReady();
        if (!message.to().equals(self)) {
            throw new IllegalArgumentException("message for " + message.to() + " given to " + self);
        }
        String refusal = MessageCheck.refusal(message);
        if (refusal == null) {
            refusal = refusalGivenState(message);
        }
        if (refusal != null) {
            return Optional.of(refusal);
        }
        if (message.term() > term) {
            if (message instanceof VoteRequest request && !request.transfer() && elections.inLease(leader)) {
                // Thesis §4.2.3: while a node hears from a live leader it ignores vote requests,
                // so a removed or partitioned node cannot depose a healthy leader.
                if (request.preVote() && role == Role.FOLLOWER) {
                    elections.defer(request);
                }
                return Optional.empty();
            }
            boolean futureTermOfPreVote = (message instanceof VoteRequest request && request.preVote())
                    || (message instanceof VoteResponse response && response.preVote() && response.granted());
            if (!futureTermOfPreVote) {
                // Said apart, so that operators (and the web view) can tell a hand-over from a deposition.
                String reason = role == Role.LEADER && message.from().equals(transferee)
                        ? (transferCause == null ? "" : transferCause + ": ") + "leadership handed over to "
                                + transferee + " (saw term " + message.term() + " from it)"
                        : "saw term " + message.term() + " from " + message.from();
                becomeFollower(message.term(), MessageCheck.leaderClaimedBy(message), reason);
            }
        } else if (message.term() < term) {
            answerStale(message);
            return Optional.empty();
        }
        dispatch(message);
        return Optional.empty();
    }

    /** Why {@code message} cannot be honest, given what this node knows; null when it can be. */
    private String refusalGivenState(Message message) {
        String tooLarge = message instanceof InstallSnapshot m ? snapshotReceiver.refusal(m) : null;
        if (tooLarge != null) {
            return tooLarge;
        }
        if (message instanceof TimeoutNow && message.term() > term) {
            // Thesis §3.10: the leader hands over only to a voter that acknowledged its whole
            // log, so in the leader's term.
            return "a TimeoutNow of term " + message.term() + ", which this node has not seen";
        }
        if (message.term() != term) {
            return null;
        }
        NodeId claimedLeader = MessageCheck.leaderClaimedBy(message);
        if (claimedLeader != null && (role == Role.LEADER || (leader != null && !leader.equals(claimedLeader)))) {
            // §5.2, Election Safety: at most one leader per term.
            return "acts as leader of term " + term + ", which " + leader + " leads";
        }
        if (message instanceof TimeoutNow && leader != null && !leader.equals(message.from())) {
            return "a TimeoutNow from " + message.from() + ", who does not lead term " + term;
        }
        Progress p = role == Role.LEADER ? tracker.get(message.from()) : null;
        return p == null ? null : p.refusal(message, reads.sequence());
    }

    private void dispatch(Message message) {
        if (message instanceof VoteRequest m) {
            handleVoteRequest(m);
        } else if (message instanceof VoteResponse m) {
            handleVoteResponse(m);
        } else if (message instanceof AppendRequest m) {
            followLeader(m.from());
            if (replication.appendReceived(term, m)) {
                refreshConfiguration();
            }
        } else if (message instanceof AppendResponse m) {
            handleAppendResponse(m);
        } else if (message instanceof Heartbeat m) {
            followLeader(m.from());
            replication.heartbeatReceived(term, m, health.healthy());
        } else if (message instanceof HeartbeatResponse m) {
            handleHeartbeatResponse(m);
        } else if (message instanceof InstallSnapshot m) {
            followLeader(m.from());
            if (replication.snapshotChunkReceived(term, m)) {
                refreshConfiguration();
            }
        } else if (message instanceof InstallSnapshotResponse m) {
            handleInstallSnapshotResponse(m);
        } else if (message instanceof TimeoutNow m) {
            handleTimeoutNow(m);
        } else if (message instanceof ForwardRequest m) {
            // Thesis §6.2: the leader appends what its followers' clients proposed, as its own.
            long first = refuseProposal() == null ? replication.appendCommands(term, m.commands()) : 0;
            send(new ForwardResponse(self, m.from(), term, m.id(), first));
        } else if (message instanceof ForwardResponse m) {
            forwarding.answered(m);
        } else if (message instanceof ReadIndexRequest m) {
            reads.requested(m, role == Role.LEADER, term, configuration);
        } else if (message instanceof ReadIndexResponse m) {
            forwarding.answered(m);
        } else if (message instanceof Message.PartitionReport m) {
            if (role == Role.LEADER && configuration.contains(m.from())) {
                send(partitions.reportReceived(m, log.lastIndex()));
                decidePartitions();
            }
        } else if (message instanceof Message.PartitionReportAck m) {
            partitions.acknowledged(m);
        }
    }

    /**
     * Proposes a command. Only a leader accepts; the answer says where the entry went, or why
     * nothing was appended.
     */
    public ProposeResult propose(byte[] command) {
        return propose(List.of(command.clone()));
    }

    /**
     * Proposes {@code commands} as consecutive entries, sent to the followers together (one
     * append per follower instead of one per command). As {@link #propose(byte[])}; an accepted
     * batch's first entry is at the index answered. The core keeps the arrays: do not change them.
     */
    public ProposeResult propose(List<byte[]> commands) {
        requireNoOutstandingReady();
        ProposeResult refusal = refuseProposal();
        return refusal != null ? refusal : new Accepted(replication.appendCommands(term, commands), term);
    }

    /**
     * Hands {@code commands}, proposed by this follower's clients, to its leader (thesis §6.2).
     * What became of them comes out as a {@link ForwardResult} with {@code id} in a later
     * {@link Ready}.
     *
     * @return false at once, nothing sent, when this core leads or knows no leader
     */
    public boolean forward(long id, List<byte[]> commands) {
        requireNoOutstandingReady();
        return role != Role.LEADER && forwarding.forward(id, commands, term, leader);
    }

    /**
     * Proposes a membership change (thesis §4.1): one at a time, only after the leader has
     * committed an entry of its own term, in effect as soon as it is appended.
     */
    public ProposeResult changeConfiguration(ConfigChange change) {
        requireNoOutstandingReady();
        ProposeResult refusal = refuseProposal();
        if (refusal != null) {
            return refusal;
        }
        // Thesis §4.1: a change may start only when the previous one is committed.
        if (configurationIndex > log.commitIndex()) {
            return new Rejected(Reason.CONFIG_CHANGE_PENDING, self);
        }
        // The fix to single-server changes (Ongaro, raft-dev 2015): a leader must commit an
        // entry of its own term before changing the configuration.
        if (log.term(log.commitIndex()) != term) {
            return new Rejected(Reason.LEADER_NOT_READY, self);
        }
        Configuration next;
        try {
            next = configuration.apply(change);
        } catch (IllegalArgumentException invalid) {
            return new Rejected(Reason.INVALID_CHANGE, self);
        }
        long index = log.lastIndex() + 1;
        appendAsLeader(Entry.configuration(index, term, next));
        return new Accepted(index, term);
    }

    private ProposeResult refuseProposal() {
        if (role != Role.LEADER) {
            return new Rejected(Reason.NOT_LEADER, leader);
        }
        if (transferee != null) {
            return new Rejected(Reason.TRANSFER_IN_PROGRESS, self);
        }
        return null;
    }

    /**
     * Asks for a linearizable read (thesis §6.4); a follower asks its leader (§6.4.1). Returns
     * false at once when this core neither leads nor knows a leader; otherwise a
     * {@link ReadState} with {@code requestId} comes out in a later {@link Ready}: confirmed
     * with the index to wait for, or failed if leadership is lost or the leader does not answer.
     */
    public boolean readIndex(long requestId) {
        requireNoOutstandingReady();
        if (role == Role.LEADER) {
            reads.start(requestId, null, term, configuration);
            return true;
        }
        return forwarding.read(requestId, term, leader, log.commitIndex());
    }

    /**
     * Hands leadership to {@code target} (thesis §3.10): brings it up to date, then tells it to
     * campaign at once. Proposals are refused meanwhile; the transfer is abandoned if it does
     * not finish within an election timeout.
     *
     * @return false when this core is not the leader or {@code target} is not another voter
     */
    public boolean transferLeadership(NodeId target) {
        requireNoOutstandingReady();
        if (role != Role.LEADER || target.equals(self) || !configuration.isVoter(target)) {
            return false;
        }
        startTransfer(target);
        return true;
    }

    private void startTransfer(NodeId target) {
        transferCause = null;
        transferee = target;
        transferElapsed = 0;
        Progress p = tracker.get(target);
        if (p.match == log.lastIndex()) {
            send(new TimeoutNow(self, target, term));
        } else {
            replication.sendAppend(term, target, p, false);
        }
    }

    /**
     * Compacts the log up to {@code index}, which the driver has applied and captured in
     * {@code data} (§7). The driver persists the returned snapshot and may then drop its
     * entries up to {@code index}.
     */
    public Snapshot compact(long index, byte[] data) {
        requireNoOutstandingReady();
        if (index > log.appliedIndex() || index <= log.snapshotMeta().index()) {
            throw new IllegalArgumentException("cannot compact to " + index + ": applied is " + log.appliedIndex()
                    + ", last snapshot at " + log.snapshotMeta().index());
        }
        PartitionTable table = partitions.table();
        if (!table.isEmpty() && index != log.appliedIndex()) {
            throw new IllegalArgumentException("cannot compact to " + index + " with partition groups: the table is"
                    + " at the applied index " + log.appliedIndex());
        }
        SnapshotMeta meta = new SnapshotMeta(index, log.term(index), log.configurationAt(index),
                table.isEmpty() ? new byte[0] : table.encode());
        Snapshot snapshot = new Snapshot(meta, data.clone());
        log.compact(meta);
        replication.compacted(snapshot);
        return snapshot;
    }

    // ------------------------------------------------------------------ output

    /** Whether there is work for the driver. */
    public boolean hasReady() {
        NodeId vote = config.broken(Canary.FORGET_VOTE) ? null : votedFor;
        return output.hasReady(term, vote, log);
    }

    /** The work for the driver; acknowledge it with {@link #advance(Ready)} once carried out. */
    public Ready ready() {
        return output.ready(hardState(), log);
    }

    /** The driver has carried out {@code ready}. */
    public void advance(Ready ready) {
        output.advance(ready, log);
        boolean partitionsMoved = ready.snapshot() != null || !ready.partitionEvents().isEmpty();
        if (ready.snapshot() != null) {
            partitions.restored(ready.snapshot().meta());
        }
        List<Entry> applied = ready.committedEntries();
        for (int i = 0; i < applied.size(); i++) { // after every input: no iterator
            if (applied.get(i).type() == EntryType.PARTITIONS) {
                partitions.applied(applied.get(i));
                partitionsMoved = true;
            }
        }
        if (partitionsMoved) {
            partitions.advanced(ready);
            partitions.refresh(role == Role.LEADER);
        }
        if (role == Role.LEADER && !ready.committedEntries().isEmpty() && partitions.awaitsApplied(log.appliedIndex())) {
            decidePartitions(); // its last decision (or its no-op) is applied: the next may go
        }
        if (role == Role.LEADER && maybeCommit()) {
            // The leader's own entries count toward a majority once they are durable.
            replication.broadcastAppend(term);
        }
    }

    private HardState hardState() {
        NodeId vote = config.broken(Canary.FORGET_VOTE) ? null : votedFor;
        return new HardState(term, vote, log.commitIndex());
    }

    // ------------------------------------------------------------------ elections

    /** Thesis §4.2.2: a voter, or a voter whose removal is not committed yet, may campaign. */
    private boolean promotable() {
        return elections.promotable(configuration, configurationIndex);
    }

    private void campaign(boolean preVote, boolean transfer, String reason) {
        long campaignTerm;
        if (preVote) {
            // Thesis §9.6: ask first whether an election could be won, without raising the term,
            // so a node that rejoins after a partition does not depose a working leader.
            role = Role.PRE_CANDIDATE;
            leader = null;
            campaignTerm = term + 1;
        } else {
            role = Role.CANDIDATE;
            leader = null;
            term++;
            votedFor = self;
            campaignTerm = term;
        }
        List<VoteRequest> requests = elections.campaign(configuration, campaignTerm, preVote, transfer);
        announce(reason);
        if (elections.result(configuration) == Quorum.VoteResult.WON) {
            winCampaign(preVote);
        } else {
            requests.forEach(this::send);
        }
    }

    private void winCampaign(boolean preVote) {
        if (preVote) {
            campaign(false, false, "pre-vote won");
        } else {
            becomeLeader();
        }
    }

    private void handleVoteRequest(VoteRequest request) {
        VoteResponse answer = elections.answer(request, term, votedFor, leader, role);
        if (answer.granted() && !request.preVote()) {
            votedFor = request.from(); // §5.2: the one vote of this term, persisted before the answer leaves
        }
        send(answer);
    }

    private void handleVoteResponse(VoteResponse response) {
        boolean mine = response.preVote() ? role == Role.PRE_CANDIDATE : role == Role.CANDIDATE;
        if (!mine) {
            return;
        }
        Quorum.VoteResult result = elections.count(response, configuration);
        if (result == Quorum.VoteResult.WON) {
            winCampaign(response.preVote());
        } else if (result == Quorum.VoteResult.LOST) {
            becomeFollower(term, null, (response.preVote() ? "pre-vote" : "election") + " lost");
        }
    }

    private void handleTimeoutNow(TimeoutNow message) {
        // Only the leader of this term may hand over (a restarted node that knows no leader yet
        // ignores the request; the leader abandons the transfer after an election timeout).
        // An unhealthy node refuses too: it would only hand leadership on again.
        if (role != Role.LEADER && message.from().equals(leader) && promotable() && health.healthy()) {
            // Thesis §3.10: the leader brought us up to date; skip pre-vote and the timeout.
            campaign(false, true, "leadership handed over by " + message.from());
        }
    }

    // ------------------------------------------------------------------ role changes

    private void becomeFollower(long newTerm, NodeId newLeader, String reason) {
        if (role == Role.LEADER) {
            reads.failAll(term);
        }
        if (newTerm > term) {
            term = newTerm;
            votedFor = null;
        }
        if (role == Role.LEADER) {
            partitions.steppedDown();
        }
        role = Role.FOLLOWER;
        leader = newLeader;
        elections.restart();
        tracker.clear();
        transferee = null;
        transferCause = null;
        healthNote = null;
        announce(reason);
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leader = self;
        elections.resetTimer();
        heartbeatElapsed = 0;
        transferee = null;
        transferCause = null;
        tracker.clear();
        tracker.sync(configuration, log.lastIndex());
        quorumCheckAt = tracker.ticks() + config.electionTicks() - 1; // everyone counts as heard now
        // §8 and thesis §6.4: a no-op of the new term lets the leader commit, and so learn the
        // commit index, without waiting for a client.
        appendAsLeader(Entry.noop(log.lastIndex() + 1, term));
        partitions.becameLeader(log.lastIndex());
        announce("won the election");
    }

    private void answerStale(Message message) {
        // §5.1: reject a stale term, and say our term so the sender updates itself; a deposed
        // leader learns of its successor this way. Only the term: the sender may lead this very
        // term by the time the answer arrives, and an index from its old append would read as
        // acknowledging what it never sent in this one.
        if (message instanceof AppendRequest || message instanceof Heartbeat) {
            send(new AppendResponse(self, message.from(), term, false, 0, 0, 0, 0));
        } else if (message instanceof VoteRequest m && m.preVote()) {
            send(new VoteResponse(self, m.from(), term, true, false));
        }
        // Stale answers, and stale vote requests, carry nothing worth a reply.
    }

    private void followLeader(NodeId from) {
        if (role != Role.FOLLOWER || !from.equals(leader)) {
            becomeFollower(term, from, "following " + from);
        }
        elections.leaderHeard();
    }

    private void announce(String reason) {
        output.announce(new StateChange(role, term, leader, leaderReady(), reason));
        forwarding.leaderChanged(term, leader);
    }

    // ------------------------------------------------------------------ leader side

    private void appendAsLeader(Entry entry) {
        log.append(entry);
        if (entry.type() == EntryType.CONFIGURATION) {
            refreshConfiguration();
        }
        replication.broadcastAppend(term);
    }

    private void handleAppendResponse(AppendResponse response) {
        Progress p = role == Role.LEADER ? tracker.heardFrom(response.from()) : null;
        if (p == null || !replication.appendAnswered(term, response, p)) {
            return;
        }
        commitOrSendOn(response.from(), p, false);
        if (response.from().equals(transferee) && p.match == log.lastIndex()) {
            send(new TimeoutNow(self, transferee, term)); // thesis §3.10: the transferee caught up
        }
    }

    private void handleHeartbeatResponse(HeartbeatResponse response) {
        Progress p = role == Role.LEADER ? tracker.heardFrom(response.from()) : null;
        if (p != null) {
            tracker.healthReported(response.from(), response.healthy());
            replication.heartbeatAnswered(term, response, p);
            reads.confirm(term, configuration);
            maybeHandOver();
        }
    }

    private void handleInstallSnapshotResponse(InstallSnapshotResponse response) {
        Progress p = role == Role.LEADER ? tracker.heardFrom(response.from()) : null;
        if (p != null && replication.snapshotAnswered(term, response, p)) {
            commitOrSendOn(response.from(), p, true);
        }
    }

    /** {@code peer} holds more than the leader knew: that may commit, and then all hear of it. */
    private void commitOrSendOn(NodeId peer, Progress p, boolean allowEmpty) {
        if (maybeCommit()) {
            replication.broadcastAppend(term);
        } else {
            replication.sendAppend(term, peer, p, allowEmpty);
        }
    }

    /**
     * Advances the commit index to the highest index a majority of voters hold, if that entry
     * is of the current term (§5.4.2: entries of earlier terms are committed only indirectly,
     * see Figure 8).
     */
    private boolean maybeCommit() {
        int quorum = configuration.quorum();
        if (config.broken(Canary.COMMIT_WITHOUT_MAJORITY)) {
            quorum = Math.max(1, quorum - 1);
        }
        // The leader's own entries count once they are durable.
        long candidate = tracker.committed(configuration, quorum, log.stableIndex());
        boolean ownTerm = log.term(candidate) == term;
        if (candidate <= log.commitIndex() || !ownTerm || !log.commitTo(candidate)) {
            return false;
        }
        onCommitted();
        return true;
    }

    private void onCommitted() {
        if (!output.announcedLeaderReady()) {
            announce("committed the first entry of its term");
        }
        reads.committed(term, configuration);
        if (!configuration.isVoter(self) && log.commitIndex() >= configurationIndex) {
            // Thesis §4.2.2: a leader removed from the configuration steps down once the change
            // is committed; it hands over to an up-to-date voter so nobody waits for a timeout.
            NodeId successor = tracker.caughtUpVoter(configuration, log.lastIndex());
            if (successor != null) {
                send(new TimeoutNow(self, successor, term));
            }
            becomeFollower(term, null, "removed from the configuration");
        }
    }

    // ------------------------------------------------------------------ configuration

    /** Thesis §4.1: a node uses the latest configuration in its log, committed or not. */
    private void refreshConfiguration() {
        configuration = log.configurationAt(log.lastIndex());
        configurationIndex = log.configurationIndex();
        if (role == Role.LEADER) {
            tracker.sync(configuration, log.lastIndex());
        }
    }

    private void send(Message message) {
        output.send(message);
    }

    private void requireNoOutstandingReady() {
        output.requireNoOutstandingReady();
    }

    // ------------------------------------------------------------------ partitions

    /**
     * This node takes part in partition group {@code group} of {@code count} partitions
     * (CONTRACT.md, "Partitions"): it tells its leader, which grants it its share. Taking part
     * again with the same count changes nothing.
     *
     * @throws IllegalArgumentException for a bad name or count, or a count other than the group's
     */
    public void declarePartitions(String group, int count) {
        requireNoOutstandingReady();
        partitions.declare(group, count);
        decidePartitions();
    }

    /** This node no longer takes part in {@code group}: it gives up at once what it holds there. */
    public void withdrawPartitions(String group) {
        requireNoOutstandingReady();
        partitions.withdraw(group);
        decidePartitions();
    }

    /** A copy of the partition table as applied here (who holds what, as far as this node knows). */
    public PartitionTable partitionTable() {
        return partitions.table().copy();
    }

    // ------------------------------------------------------------------ observation

    public NodeId id() {
        return self;
    }

    public Role role() {
        return role;
    }

    public long term() {
        return term;
    }

    /** The leader this core knows of in its term; null when none. */
    public NodeId leader() {
        return leader;
    }

    /** The configuration in effect: the latest in the log, committed or not. */
    public Configuration configuration() {
        return configuration;
    }

    public long commitIndex() {
        return log.commitIndex();
    }

    public long appliedIndex() {
        return log.appliedIndex();
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public long lastTerm() {
        return log.lastTerm();
    }

    /** The index of the last compaction, 0 when none. */
    public long snapshotIndex() {
        return log.snapshotMeta().index();
    }

    /** The term of the entry at {@code index}, or -1 when this core cannot tell (compacted or absent). */
    public long termAt(long index) {
        return log.term(index);
    }

    /** The entry at {@code index}; it must lie between the snapshot and the last index. */
    public Entry entryAt(long index) {
        return log.entry(index);
    }

    /**
     * On a leader, how far each other member's log is known to match its own (its match index,
     * thesis §3.5), sorted by id; empty on any other role. For monitoring.
     */
    public java.util.Map<NodeId, Long> matchIndexes() {
        return role == Role.LEADER ? tracker.matchIndexes() : java.util.Map.of();
    }

    /** The node a leadership transfer is handing over to; null when none. */
    public NodeId transferee() {
        return transferee;
    }

    /** A compact status line: role, term, commit, applied, leader, last index. */
    public String status() {
        return self + " " + role + " t" + term + " commit=" + log.commitIndex() + " applied=" + log.appliedIndex()
                + " last=" + log.lastIndex() + "@" + log.lastTerm() + " leader=" + leader + " " + configuration;
    }

    @Override
    public String toString() {
        return status();
    }
}
