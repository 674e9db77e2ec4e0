package io.clustermode.simulation;

import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Configuration;
import io.clustermode.raft.Entry;
import io.clustermode.raft.Message;
import io.clustermode.raft.NodeId;
import io.clustermode.raft.ProposeResult;
import io.clustermode.raft.RaftConfig;
import io.clustermode.raft.RaftCore;
import io.clustermode.raft.ReadState;
import io.clustermode.raft.Ready;
import io.clustermode.raft.Role;
import io.clustermode.raft.Snapshot;
import io.clustermode.raft.StateChange;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A whole cluster of Raft cores in one thread: simulated network, disks and clocks, all drawn
 * from one seeded {@link Random}, with the invariants checked after every step. It plays the
 * driver's part for each core exactly as the {@link Ready} contract says (persist, send,
 * apply, advance), so what it proves holds for any driver that keeps that contract.
 *
 * <p>Time is counted in units; a node ticks every {@link #TICK} units at its own phase, and
 * messages take {@code minDelay..maxDelay} units. Tests drive it step by step; {@link Schedule}
 * drives it at random.
 */
public final class SimCluster {

    /** Time units per tick. */
    public static final int TICK = 10;

    final Random random;
    final RaftConfig raftConfig;
    final SimNetwork network;
    final Invariants invariants = new Invariants();
    final Trace trace = new Trace(40);
    private final TreeMap<NodeId, SimNode> nodes = new TreeMap<>();
    long now;
    /** Compact a node's log when it has applied this many entries past its last snapshot; 0 never. */
    int compactEvery;
    int snapshotPadding;

    // What clients saw.
    long ackedWriteIndex;
    long writesAcknowledged;
    long readsServed;
    private long nextRequestId = 1;
    /** Chance that the others notice a crash at once, as a reset connection (a hint to the core). */
    double resetNoticeRate;
    private record Notice(long time, NodeId to, NodeId gone) {
    }
    private final List<Notice> notices = new ArrayList<>();

    /** Called after a node has persisted and sent a vote; the schedule may crash it right there. */
    Consumer<SimNode> afterVoteGranted = node -> { };

    public SimCluster(long seed, RaftConfig raftConfig) {
        this.random = new Random(seed);
        this.raftConfig = raftConfig;
        this.network = new SimNetwork(random);
    }

    // ------------------------------------------------------------------ membership of the simulation

    /** Creates nodes with these ids and bootstraps them all with one configuration of them as voters. */
    public void bootstrap(Collection<NodeId> voters) {
        for (NodeId id : voters) {
            SimNode node = addNode(id);
            node.core.bootstrap(Configuration.ofVoters(voters));
            drain(node);
        }
    }

    /** Starts a new cluster of {@code node} alone (the bootstrap rule of the membership layer). */
    public void bootstrapAlone(SimNode node) {
        step(node, "BOOTSTRAP", () -> node.core.bootstrap(Configuration.ofVoters(node.id)));
    }

    /** Creates and starts a node with an empty log, to be added with a configuration change. */
    public SimNode addNode(NodeId id) {
        if (nodes.containsKey(id)) {
            throw new IllegalArgumentException(id + " exists");
        }
        SimNode node = new SimNode(id, random.nextInt(TICK));
        node.core = RaftCore.create(id, raftConfig, new Random(random.nextLong()));
        nodes.put(id, node);
        return node;
    }

    public SimNode node(NodeId id) {
        return nodes.get(id);
    }

    public Collection<SimNode> nodes() {
        return nodes.values();
    }

    /** The node that is leader in the highest term, or null. */
    public SimNode leader() {
        SimNode best = null;
        for (SimNode node : nodes.values()) {
            if (node.isUp() && node.core.role() == Role.LEADER
                    && (best == null || node.core.term() > best.core.term())) {
                best = node;
            }
        }
        return best;
    }

    // ------------------------------------------------------------------ faults

    /** Stops a node at once; its disk keeps what it had persisted. */
    public void crash(SimNode node) {
        if (!node.isUp()) {
            return;
        }
        node.core = null;
        node.machine = new SimStateMachine();
        node.pendingWrites.clear();
        node.pendingReads.clear();
        node.confirmedReads.clear();
        node.crashDuringNextWrite = false;
        node.lastHeard.clear();
        node.guard = null;
        node.policy = null;
        trace.record(now, node.id, "CRASH", null);
        if (resetNoticeRate > 0 && random.nextDouble() < resetNoticeRate) {
            for (NodeId other : nodes.keySet()) {
                if (!other.equals(node.id)) {
                    notices.add(new Notice(now + network.minDelay + random.nextInt(network.maxDelay), other, node.id));
                }
            }
        }
    }

    /** Makes the node crash in the middle of its next write, leaving it torn. */
    public void crashDuringNextWrite(SimNode node) {
        node.crashDuringNextWrite = true;
    }

    /** Starts a crashed node again from its disk. */
    public void restart(SimNode node) {
        if (node.isUp()) {
            return;
        }
        SimDisk disk = node.disk;
        node.incarnation++;
        step(node, "RESTART", () -> {
            node.core = RaftCore.restart(node.id, raftConfig, new Random(random.nextLong()), disk.hardState,
                    disk.snapshot, new ArrayList<>(disk.entries));
            node.machine = new SimStateMachine();
            if (disk.snapshot != null) {
                node.machine.restore(disk.snapshot.index(), disk.snapshot.data());
            }
            node.commitSeen = node.core.commitIndex();
        });
    }

    public void isolate(NodeId id) {
        for (NodeId other : nodes.keySet()) {
            if (!other.equals(id)) {
                network.blockBoth(id, other);
            }
        }
        trace.record(now, id, "ISOLATED", null);
    }

    /** Splits the nodes into two sides that cannot talk to each other. */
    public void partition(Collection<NodeId> side) {
        for (NodeId a : side) {
            for (NodeId b : nodes.keySet()) {
                if (!side.contains(b)) {
                    network.blockBoth(a, b);
                }
            }
        }
        trace.record(now, null, "PARTITION " + side, null);
    }

    public void blockOneWay(NodeId from, NodeId to) {
        network.block(from, to);
        trace.record(now, null, "BLOCK " + from + "->" + to, null);
    }

    public void heal() {
        network.heal();
        trace.record(now, null, "HEAL", null);
    }

    // ------------------------------------------------------------------ clients

    /** A client proposes a command at {@code node}; the write is acknowledged when that node applies it. */
    public ProposeResult propose(SimNode node, byte[] command) {
        ProposeResult[] result = new ProposeResult[1];
        step(node, "PROPOSE", () -> result[0] = node.core.propose(command));
        if (result[0] instanceof ProposeResult.Accepted accepted) {
            node.pendingWrites.put(accepted.index(), accepted.term());
        }
        return result[0];
    }

    public ProposeResult changeConfiguration(SimNode node, ConfigChange change) {
        ProposeResult[] result = new ProposeResult[1];
        step(node, change, () -> result[0] = node.core.changeConfiguration(change));
        return result[0];
    }

    /** A client asks {@code node} for a linearizable read; returns false when the node refuses at once. */
    public boolean read(SimNode node) {
        long id = nextRequestId++;
        long mustSee = ackedWriteIndex;
        boolean[] accepted = new boolean[1];
        node.pendingReads.put(id, mustSee);
        step(node, "READ " + id, () -> accepted[0] = node.core.readIndex(id));
        if (!accepted[0]) {
            node.pendingReads.remove(id);
        }
        return accepted[0];
    }

    public boolean transferLeadership(SimNode node, NodeId target) {
        boolean[] started = new boolean[1];
        step(node, "TRANSFER to " + target, () -> started[0] = node.core.transferLeadership(target));
        return started[0];
    }

    // ------------------------------------------------------------------ time

    /**
     * Hands {@code forged} straight to its receiver, as a faulty or hostile peer would send it,
     * past the network. The invariants are still checked after the step.
     *
     * @return why the receiver refused it; empty when it took it
     */
    public java.util.Optional<String> forge(Message forged) {
        SimNode target = nodes.get(forged.to());
        java.util.Optional<String>[] refusal = new java.util.Optional[]{java.util.Optional.empty()};
        step(target, "FORGED " + forged, () -> refusal[0] = target.core.step(forged));
        return refusal[0];
    }

    /** Tells {@code to} that its connection to {@code gone} broke (a hint; it may be wrong). */
    public void peerUnreachable(SimNode to, NodeId gone) {
        if (to.isUp()) {
            step(to, "UNREACHABLE " + gone, () -> to.core.peerUnreachable(gone));
        }
    }

    /** Runs one unit of time: delivers the messages due, then ticks the nodes whose phase it is. */
    public void runOneUnit() {
        for (int i = 0; i < notices.size(); i++) {
            Notice notice = notices.get(i);
            if (notice.time() <= now) {
                notices.remove(i--);
                peerUnreachable(nodes.get(notice.to()), notice.gone());
            }
        }
        Message message;
        while ((message = network.poll(now)) != null) {
            SimNode target = nodes.get(message.to());
            if (target != null && target.isUp()) {
                target.lastHeard.put(message.from(), now);
                Message delivered = message;
                step(target, message, () -> target.core.step(delivered).ifPresent(reason -> {
                    // Every core here is honest: a refusal means the core's checks are wrong.
                    throw new InvariantViolation("honest-message-refused", target.id + " refused " + delivered
                            + ": " + reason);
                }));
            }
        }
        for (SimNode node : nodes.values()) {
            if (node.isUp() && now % TICK == node.tickPhase) {
                int due = node.core.ticksUntilTimer();
                step(node, "tick", () -> {
                    node.core.tick();
                    // The runtime sleeps through ticks that ticksUntilTimer says do nothing.
                    if (due > 1 && node.core.hasReady()) {
                        throw new InvariantViolation("timer", node.id + ": a tick " + due
                                + " ticks before its timer produced work");
                    }
                });
            }
        }
        now++;
    }

    public void runFor(long units) {
        for (long i = 0; i < units; i++) {
            runOneUnit();
        }
    }

    /** Ticks {@code node} alone until its election timer fires and it asks for (pre-)votes; for scenarios. */
    public void timeout(SimNode node) {
        long before = node.campaigns;
        for (int i = 0; i < 4 * raftConfig.electionTicks() && node.campaigns == before
                && node.core.role() != Role.LEADER; i++) {
            step(node, "tick (forced)", () -> node.core.tick());
        }
    }

    /** The network: delays, loss, duplication; scenarios set them. */
    public void networkDelay(int min, int max) {
        network.minDelay = min;
        network.maxDelay = max;
    }

    /** From now on, messages that match are lost (for scenarios that need one exact message gone). */
    public void loseMessages(java.util.function.Predicate<Message> which) {
        network.lose = which;
    }

    /** Whether {@code from} can currently send to {@code to}. */
    public boolean canReach(NodeId from, NodeId to) {
        return !network.isBlocked(from, to);
    }

    public long now() {
        return now;
    }

    /** Runs until some node is leader and every node that is up agrees on it, at most {@code units}. */
    public SimNode runUntilStableLeader(long units) {
        for (long i = 0; i < units; i++) {
            SimNode leader = leader();
            if (leader != null && everyoneFollows(leader)) {
                return leader;
            }
            runOneUnit();
        }
        return null;
    }

    private boolean everyoneFollows(SimNode leader) {
        for (NodeId member : leader.core.configuration().members()) {
            SimNode node = nodes.get(member);
            if (node == null || !node.isUp() || !leader.id.equals(node.core.leader())
                    || node.core.term() != leader.core.term()) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ the driver's part

    private void step(SimNode node, Object what, Runnable input) {
        try {
            input.run();
            drain(node);
        } catch (InvariantViolation violation) {
            trace.record(now, node.id, what, node.core);
            throw violation;
        } catch (RuntimeException bug) {
            trace.record(now, node.id, what, node.core);
            // A core that finds its own state impossible stops; for the simulation that is a
            // violation like any other.
            throw new InvariantViolation("core assertion", node.id + ": " + bug);
        }
        trace.record(now, node.id, what, node.core);
        invariants.afterStep(nodes.values());
    }

    /** Carries out every Ready of {@code node}: persist, send, apply, answer reads, advance. */
    void drain(SimNode node) {
        while (node.isUp() && node.core.hasReady()) {
            Ready ready = node.core.ready();
            // As the runtime does: a leader's replication leaves before its own write, so a
            // crash in the middle of that write still lets it out.
            for (Message message : ready.earlyMessages()) {
                network.send(message, now);
            }
            if (node.crashDuringNextWrite && ready.mustPersist()) {
                node.disk.persistTorn(ready, random);
                crash(node);
                return;
            }
            node.disk.persist(ready);
            invariants.onPersisted(node, ready);
            boolean votedNow = false;
            boolean campaigned = false;
            for (Message message : ready.messages()) {
                network.send(message, now);
                votedNow |= message instanceof Message.VoteResponse vote && vote.granted() && !vote.preVote();
                campaigned |= message instanceof Message.VoteRequest;
            }
            if (campaigned) {
                node.campaigns++;
            }
            if (ready.snapshot() != null) {
                Snapshot snapshot = ready.snapshot();
                node.machine.restore(snapshot.index(), snapshot.data());
                invariants.onRestored(node, snapshot, node.machine.hash);
                node.pendingWrites.headMap(snapshot.index(), true).clear();
            }
            for (Entry entry : ready.committedEntries()) {
                node.machine.apply(entry);
                invariants.onApplied(node, entry, node.machine.hash);
                acknowledgeWrite(node, entry);
            }
            for (ReadState state : ready.readStates()) {
                Long mustSee = node.pendingReads.remove(state.requestId());
                if (mustSee != null && state.confirmed()) {
                    node.confirmedReads.add(new SimNode.ConfirmedRead(state.index(), mustSee));
                }
            }
            for (StateChange change : ready.stateChanges()) {
                invariants.onStateChange(node, change);
            }
            node.core.advance(ready);
            serveReads(node);
            if (votedNow) {
                afterVoteGranted.accept(node);
            }
        }
        if (node.isUp()) {
            maybeCompact(node);
        }
    }

    private void acknowledgeWrite(SimNode node, Entry entry) {
        Long term = node.pendingWrites.remove(entry.index());
        if (term != null && term == entry.term()) {
            ackedWriteIndex = Math.max(ackedWriteIndex, entry.index());
            writesAcknowledged++;
        }
    }

    private void serveReads(SimNode node) {
        Iterator<SimNode.ConfirmedRead> reads = node.confirmedReads.iterator();
        while (reads.hasNext()) {
            SimNode.ConfirmedRead read = reads.next();
            if (node.machine.appliedIndex >= read.index()) {
                invariants.onReadServed(node, node.machine.appliedIndex, read.mustSee());
                readsServed++;
                reads.remove();
            }
        }
    }

    private void maybeCompact(SimNode node) {
        RaftCore core = node.core;
        if (compactEvery > 0 && core.appliedIndex() - core.snapshotIndex() >= compactEvery) {
            Snapshot snapshot = core.compact(core.appliedIndex(),
                    node.machine.snapshot(snapshotPadding == 0 ? 0 : random.nextInt(snapshotPadding)));
            node.disk.saveSnapshot(snapshot, false);
        }
    }

    /** The status of every node, one line each. */
    public List<String> statusLines() {
        List<String> lines = new ArrayList<>();
        nodes.values().forEach(node -> lines.add(node.status()));
        return lines;
    }

    void onEveryStep(Consumer<String> printer) {
        trace.listen(printer);
    }
}
