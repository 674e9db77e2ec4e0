package io.clustermode.simulation;

import io.clustermode.Committed;
import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Configuration;
import io.clustermode.raft.Entry;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.ProposeResult;
import io.clustermode.raft.RaftConfig;
import io.clustermode.raft.Ready;
import io.clustermode.raft.Role;
import io.clustermode.raft.Snapshot;
import io.clustermode.raft.StateChange;
import io.clustermode.runtime.ReadyDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import io.clustermode.StateMachine;

/**
 * A whole cluster of Raft cores in one thread: simulated network, disks and clocks, all drawn
 * from one seeded {@link Random}, with the invariants checked after every step. Each core is
 * carried out by the runtime's own {@link ReadyDriver}, over a simulated disk, network and
 * state machine, so what the simulation proves holds for the order in which a real node
 * persists, sends, applies and answers — not for a copy of it.
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
    /** The nodes in id order, as a list: walked every unit, and a list walks cheaper than a tree. */
    private List<SimNode> nodeList = List.of();
    long now;
    /** Compact a node's log when it has applied this many entries past its last snapshot; 0 never. */
    int compactEvery;
    private final ReadyDriver.SnapshotPolicy compaction = (entries, bytes) -> compactEvery > 0
            && entries >= compactEvery;
    int snapshotPadding;
    /** Whether nodes' clocks drift: each ticks every TICK-1, TICK or TICK+1 units (±10 %). */
    boolean clockDrift;
    /** Partition groups (name to count); each node, when it starts, takes part in those {@link #declares} says. */
    final java.util.TreeMap<String, Integer> partitionGroups = new java.util.TreeMap<>();
    java.util.function.BiPredicate<NodeId, String> declares = (node, group) -> true;
    /**
     * Units between two health checks of a node (each node at its own tick phase), whose result
     * ({@link SimNode#checkPassing}) its core is told; 0 when nodes are never checked.
     */
    int healthCheckEvery;

    // What clients saw.
    long ackedWriteIndex;
    /** The highest index of an acknowledged write, by the term of its entry. */
    private final TreeMap<Long, Long> ackedByTerm = new TreeMap<>();
    /** A violation a completion callback found during the current step. */
    private InvariantViolation foundInCallback;
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

    /**
     * Makes each node's state machine, at every start; null for the simulation's own
     * ({@link SimStateMachine}, whose hash the invariants compare after every apply).
     */
    private final Function<NodeId, StateMachine<?>> machines;
    /** Told of every change of role, term or known leader, as the node's driver reports it. */
    private BiConsumer<NodeId, StateChange> stateListener = (node, change) -> { };

    /** An empty cluster: everything it does draws from {@code new Random(seed)}; its cores use {@code raftConfig}. */
    public SimCluster(long seed, RaftConfig raftConfig) {
        this(seed, raftConfig, null);
    }

    /**
     * As {@link #SimCluster(long, RaftConfig)}, with an application's state machine on every node:
     * {@code machines} makes a fresh one whenever a node starts (and restarts, as a process would).
     * It must be deterministic; the invariants then check what they can without seeing its state
     * (one entry per index everywhere), and the caller compares snapshots.
     */
    public SimCluster(long seed, RaftConfig raftConfig, Function<NodeId, StateMachine<?>> machines) {
        this.random = new Random(seed);
        this.raftConfig = raftConfig;
        this.network = new SimNetwork(random);
        this.machines = machines;
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
        node.nextTickAt = now - Math.floorMod(now, TICK) + node.tickPhase;
        if (node.nextTickAt < now) {
            node.nextTickAt += TICK;
        }
        if (clockDrift) {
            node.tickPeriod = TICK - 1 + random.nextInt(3);
        }
        start(node);
        nodes.put(id, node);
        nodeList = List.copyOf(nodes.values());
        return node;
    }

    /** Starts {@code node} from its disk, through the driver a real node starts with. */
    private void start(SimNode node) {
        node.machine = machines == null
                ? new SimStateMachine(() -> snapshotPadding == 0 ? 0 : random.nextInt(snapshotPadding))
                : castMachine(machines.apply(node.id));
        node.appliedSeen = 0;
        try {
            node.driver = ReadyDriver.load(node.id, raftConfig, random.nextLong(), node.disk,
                    message -> {
                        invariants.onSent(node, message);
                        network.send(message, now);
                    }, node.machine, compaction, new Hooks(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the simulated disk never fails to load
        }
        node.core = node.driver.core();
        node.commitSeen = node.core.commitIndex();
        partitionGroups.forEach((group, count) -> {
            if (declares.test(node.id, group)) {
                node.core.declarePartitions(group, count);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static StateMachine<Object> castMachine(StateMachine<?> machine) {
        if (machine == null) {
            throw new IllegalStateException("the state machine factory returned null");
        }
        return (StateMachine<Object>) machine; // its results only pass through, to the caller's futures
    }

    /** The node of that id; null when there is none. */
    public SimNode node(NodeId id) {
        return nodes.get(id);
    }

    /** The nodes, in id order: an unmodifiable snapshot, so walking it while nodes are added is safe. */
    public List<SimNode> nodes() {
        return nodeList;
    }

    /** The node that is leader in the highest term, or null. */
    public SimNode leader() {
        SimNode best = null;
        for (SimNode node : nodeList) {
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
        checkAnsweredReads(node);
        node.core = null;
        node.driver = null;
        node.machine = null;
        node.readsWaiting = 0;
        node.disk.tearNextWrite = null;
        node.lastHeard.clear();
        node.held.clear(); // the process, and the work it did on its partitions, is gone
        node.guard = null;
        node.policy = null;
        node.pausedUntil = 0;
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
        node.disk.tearNextWrite = random;
    }

    /** Starts a crashed node again from its disk. */
    public void restart(SimNode node) {
        if (node.isUp()) {
            return;
        }
        node.incarnation++;
        step(node, "RESTART", () -> start(node));
    }

    /** Cuts {@code id} off from every other node, both ways. */
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

    /** Drops what {@code from} sends to {@code to}; the other way still works. */
    public void blockOneWay(NodeId from, NodeId to) {
        network.block(from, to);
        trace.record(now, null, "BLOCK " + from + "->" + to, null);
    }

    /**
     * Stops {@code node}'s process for {@code units} time units, as SIGSTOP or a long GC pause
     * would: it neither ticks nor receives meanwhile; messages sent to it wait and arrive (in
     * order) when it resumes. It is not told: a paused leader still believes it leads.
     */
    public void pause(SimNode node, long units) {
        if (units <= 0) {
            throw new IllegalArgumentException("a pause lasts at least one time unit, was " + units);
        }
        if (node.isUp()) {
            node.pausedUntil = Math.max(node.pausedUntil, now + units);
            trace.record(now, node.id, "PAUSED until " + node.pausedUntil, null);
        }
    }

    /** Restores every link. */
    public void heal() {
        network.heal();
        trace.record(now, null, "HEAL", null);
    }

    // ------------------------------------------------------------------ clients

    /**
     * A client's future that calls back when it completes, without a dependent stage: a stage
     * would wrap every failure in a {@code CompletionException}, and filling in its stack trace
     * was the simulation's largest single cost.
     */
    private static final class Notifying<T> extends CompletableFuture<T> {
        private final java.util.function.BiConsumer<T, Throwable> onDone;

        Notifying(java.util.function.BiConsumer<T, Throwable> onDone) {
            this.onDone = onDone;
        }

        @Override
        public boolean complete(T value) {
            boolean first = super.complete(value);
            if (first) {
                onDone.accept(value, null);
            }
            return first;
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            boolean first = super.completeExceptionally(failure);
            if (first) {
                onDone.accept(null, failure);
            }
            return first;
        }
    }

    private void acknowledged(Committed<?> committed) {
        ackedWriteIndex = Math.max(ackedWriteIndex, committed.index());
        ackedByTerm.merge(committed.term(), committed.index(), Math::max);
        writesAcknowledged++;
    }

    /**
     * A leader that says it is ready (the application may treat it as primary): the writes it must
     * have applied are those acknowledged in an earlier term, committed before its election.
     */
    private void checkLeaderReady(SimNode node, StateChange change) {
        if (change.role() != Role.LEADER || !change.leaderReady()) {
            return;
        }
        long mustHave = 0;
        for (long index : ackedByTerm.headMap(change.term()).values()) {
            mustHave = Math.max(mustHave, index);
        }
        invariants.onLeaderReady(node, change.term(), node.appliedSeen, mustHave);
    }

    /**
     * A client proposes a command at {@code node}; the write is acknowledged when that node's
     * driver completes the proposal (applied there, in the term it was proposed in).
     */
    public ProposeResult propose(SimNode node, byte[] command) {
        CompletableFuture<Committed<Object>> applied = new Notifying<>((committed, failure) -> {
            if (failure == null) {
                acknowledged(committed);
            }
        });
        ProposeResult[] result = new ProposeResult[1];
        step(node, "PROPOSE", () -> result[0] = node.driver.propose(command, applied));
        return result[0];
    }

    /**
     * A client writes {@code command} at any {@code node}: the leader proposes it, a follower
     * forwards it to its leader (thesis §6.2). The write is acknowledged when that node's driver
     * completes it (applied there); the entry it names must hold this very command.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletableFuture<Committed<Long>> submit(SimNode node, byte[] command) {
        return (CompletableFuture) submitCommand(node, command); // the simulation's machine answers Longs
    }

    /**
     * As {@link #submit}, for a cluster of an application's state machines: the future carries
     * that machine's result.
     */
    public CompletableFuture<Committed<Object>> submitCommand(SimNode node, byte[] command) {
        int incarnation = node.incarnation;
        CompletableFuture<Committed<Object>> applied = new Notifying<>((committed, failure) -> {
            if (failure != null) {
                return;
            }
            if (node.incarnation == incarnation && committed.index() > node.core.snapshotIndex()
                    && !java.util.Arrays.equals(node.core.entryAt(committed.index()).data(), command)) {
                // Thrown here it would only fail the dependent future: the step throws it.
                foundInCallback = new InvariantViolation("acknowledged write", node.id
                        + " acknowledged a write at index " + committed.index() + " that holds another command ("
                        + new String(node.core.entryAt(committed.index()).data(), StandardCharsets.UTF_8)
                        + " instead of " + new String(command, StandardCharsets.UTF_8) + ")");
                return;
            }
            acknowledged(committed);
        });
        step(node, "SUBMIT", () -> {
            node.driver.submit(command, applied);
            node.driver.startProposals();
        });
        return applied;
    }

    /** Asks {@code node} to change the configuration by one member; returns what its core said. */
    public ProposeResult changeConfiguration(SimNode node, ConfigChange change) {
        ProposeResult[] result = new ProposeResult[1];
        step(node, change, () -> result[0] = node.driver.changeConfiguration(change, new CompletableFuture<>()));
        return result[0];
    }

    /**
     * A client asks {@code node} for a linearizable read, through the driver's ReadIndex round;
     * the answer must reflect every write acknowledged before the read began.
     *
     * @return false when the node refuses at once (it is not the leader)
     */
    public boolean read(SimNode node) {
        long id = nextRequestId++;
        long mustSee = ackedWriteIndex;
        ReadyDriver<Object> driver = node.driver;
        int incarnation = node.incarnation;
        CompletableFuture<Long> answer = new Notifying<>((appliedIndex, failure) -> {
            if (node.incarnation == incarnation && node.isUp()) {
                node.readsWaiting--;
                if (failure == null) {
                    node.answeredReads.add(new SimNode.AnsweredRead(appliedIndex, mustSee));
                }
            }
        });
        node.readsWaiting++;
        boolean[] accepted = new boolean[1];
        step(node, "READ " + id, () -> {
            driver.read(machine -> driver.appliedIndex(), answer);
            accepted[0] = driver.startReads();
        });
        return accepted[0];
    }

    /**
     * A client's linearizable read at {@code node}, as {@link #read} makes it, answering the
     * index the node had applied when it answered (for tests that look at one read).
     */
    public CompletableFuture<Long> readAppliedIndex(SimNode node) {
        ReadyDriver<Object> driver = node.driver;
        CompletableFuture<Long> answer = new CompletableFuture<>();
        step(node, "READ", () -> {
            driver.read(machine -> driver.appliedIndex(), answer);
            driver.startReads();
        });
        return answer;
    }

    /** A query's answer and the index the node had applied when it ran the query. */
    private record Answer(long appliedIndex, Object value) {
    }

    /**
     * A client's linearizable read at {@code node} that runs {@code query} on the node's state
     * machine once the ReadIndex round confirmed it (thesis §6.4); checked like {@link #read}:
     * the answer must reflect every write acknowledged before the read began. The future fails
     * as the driver's reads do (with {@link io.clustermode.NotPrimaryException} when no leader
     * is known or primacy was lost).
     */
    public <T> CompletableFuture<T> query(SimNode node, Function<StateMachine<?>, T> query) {
        long mustSee = ackedWriteIndex;
        ReadyDriver<Object> driver = node.driver;
        int incarnation = node.incarnation;
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<Answer> answer = new Notifying<>((answered, failure) -> {
            if (node.incarnation == incarnation && node.isUp()) {
                node.readsWaiting--;
                if (failure == null) {
                    node.answeredReads.add(new SimNode.AnsweredRead(answered.appliedIndex(), mustSee));
                }
            }
            if (failure == null) {
                @SuppressWarnings("unchecked")
                T value = (T) answered.value();
                result.complete(value);
            } else {
                result.completeExceptionally(failure);
            }
        });
        node.readsWaiting++;
        step(node, "QUERY", () -> {
            driver.read(machine -> new Answer(driver.appliedIndex(), query.apply(machine)), answer);
            driver.startReads();
        });
        return result;
    }

    /** Asks {@code node} to hand leadership to {@code target}; false when it would not start. */
    public boolean transferLeadership(SimNode node, NodeId target) {
        boolean[] started = new boolean[1];
        step(node, "TRANSFER to " + target, () -> started[0] = node.core.transferLeadership(target));
        return started[0];
    }

    /**
     * {@code node} stops taking part in partition group {@code group}, as {@code Cluster.close()}
     * does before a process stops: it gives up what it holds there.
     */
    public void withdrawPartitions(SimNode node, String group) {
        step(node, "WITHDRAW " + group, () -> node.core.withdrawPartitions(group));
    }

    /** Declares partition group {@code group} of {@code count} partitions on every node that starts from now on. */
    public void declarePartitionGroup(String group, int count) {
        partitionGroups.put(group, count);
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
            if (target != null && target.isUp() && target.pausedUntil > now) {
                network.hold(message, target.pausedUntil); // a stopped process reads its socket later
                continue;
            }
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
        List<SimNode> all = nodeList;
        for (int i = 0; i < all.size(); i++) {
            SimNode node = all.get(i);
            boolean ticks = node.nextTickAt <= now;
            if (ticks) {
                node.nextTickAt += node.tickPeriod; // its clock runs whether the node is up or not
            }
            if (healthCheckEvery > 0 && node.isUp() && node.pausedUntil <= now
                    && Math.floorMod(now - node.tickPhase, healthCheckEvery) == 0) {
                boolean passing = node.checkPassing;
                step(node, passing ? "HEALTH passing" : "HEALTH failing", () -> node.core.reportHealth(passing));
            }
            if (ticks && node.isUp() && node.pausedUntil <= now) {
                int due = node.core.ticksUntilTimer();
                if (due > 1) {
                    countTick(node, due);
                } else {
                    step(node, "tick", () -> node.core.tick());
                }
            }
        }
        now++;
    }

    /**
     * A tick before the node's next timer only counts: the runtime sleeps through these, so it
     * must produce no work. Not a step of its own (nothing to carry out, record or check), which
     * keeps most ticks cheap and the trace to the steps that did something.
     */
    private void countTick(SimNode node, int due) {
        node.core.tick();
        if (node.core.hasReady()) {
            trace.record(now, node.id, "tick", node.core);
            throw new InvariantViolation("timer", node.id + ": a tick " + due + " ticks before its timer produced work");
        }
    }

    /** Runs {@code units} units of time, one {@link #runOneUnit()} each. */
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

    /** Makes {@code node}'s check pass or fail from now on, and reports it to its core at once. */
    public void reportHealth(SimNode node, boolean passing) {
        node.checkPassing = passing;
        if (node.isUp()) {
            step(node, passing ? "HEALTH passing" : "HEALTH failing", () -> node.core.reportHealth(passing));
        }
    }

    /**
     * From now on, every node's health check runs every {@code units} units and its result goes
     * to its core (see {@link SimNode#checkPasses}); 0 stops the checks.
     */
    public void checkHealthEvery(int units) {
        if (units < 0) {
            throw new IllegalArgumentException("units must be 0 or positive, was " + units);
        }
        healthCheckEvery = units;
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

    /** The simulated time, in units ({@link #TICK} per tick). */
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
            if (foundInCallback != null) {
                InvariantViolation found = foundInCallback;
                foundInCallback = null;
                throw found;
            }
        } catch (RuntimeException thrown) {
            if (thrown instanceof UncheckedIOException io && io.getCause() instanceof SimulatedCrash) {
                crash(node); // the process died in the middle of the driver's work
            } else {
                trace.record(now, node.id, what, node.core);
                if (thrown instanceof InvariantViolation violation) {
                    throw violation;
                }
                if (thrown.getCause() instanceof InvariantViolation violation) {
                    throw violation; // found inside the simulated state machine, wrapped by the driver
                }
                // A core that finds its own state impossible stops; for the simulation that is a
                // violation like any other.
                throw new InvariantViolation("core assertion", node.id + ": " + thrown);
            }
        }
        checkAnsweredReads(node);
        trace.record(now, node.id, what, node.core);
        invariants.afterStep(node); // a step changes only the node it is given
    }

    /** Has the node's driver carry out every Ready: persist, send, apply, answer, advance. */
    void drain(SimNode node) {
        if (node.isUp()) {
            node.driver.handleReady();
        }
    }

    private void checkAnsweredReads(SimNode node) {
        for (SimNode.AnsweredRead read : node.answeredReads) {
            invariants.onReadServed(node, read.appliedIndex(), read.mustSee());
            readsServed++;
        }
        node.answeredReads.clear();
    }

    /** What a node's driver reports, checked against the invariants as it happens. */
    private final class Hooks implements ReadyDriver.Hooks {

        private final SimNode node;

        Hooks(SimNode node) {
            this.node = node;
        }

        @Override
        public void persisted(Ready ready) {
            invariants.onPersisted(node, ready);
        }

        @Override
        public void restored(Snapshot snapshot) {
            node.appliedSeen = snapshot.index();
            invariants.onRestored(node, snapshot, node.stateHash());
        }

        @Override
        public void applied(Entry entry) {
            if (entry.index() != node.appliedSeen + 1) {
                throw new InvariantViolation("apply order", node.id + " applied " + entry.index() + " after "
                        + node.appliedSeen);
            }
            node.appliedSeen = entry.index();
            invariants.onApplied(node, entry, node.stateHash());
        }

        @Override
        public void stateChanged(StateChange change) {
            invariants.onStateChange(node, change);
            checkLeaderReady(node, change);
            if (change.reason().startsWith("unhealthy:")) {
                node.unhealthyHandovers++;
            }
            stateListener.accept(node.id, change);
        }

        @Override
        public void partitionsChanged(io.clustermode.raft.PartitionTable table,
                                      List<io.clustermode.raft.PartitionEvent> events) {
            invariants.onPartitionEvents(node, events, nodeList);
        }

        @Override
        public void readyDone(Ready ready) {
            boolean votedNow = false;
            boolean campaigned = false;
            List<Message> messages = ready.messages();
            for (int i = 0; i < messages.size(); i++) {
                Message message = messages.get(i);
                votedNow |= message instanceof Message.VoteResponse vote && vote.granted() && !vote.preVote();
                campaigned |= message instanceof Message.VoteRequest;
            }
            if (campaigned) {
                node.campaigns++;
            }
            if (votedNow) {
                afterVoteGranted.accept(node);
                if (!node.isUp()) {
                    // crashed right after its vote left: its driver stops here, as the process would
                    throw new UncheckedIOException(new SimulatedCrash("after a vote"));
                }
            }
        }
    }

    /** The last steps taken (at most 40), one line each, oldest first: what to show when a run fails. */
    public List<String> lastSteps() {
        return trace.lines();
    }

    /** The status of every node, one line each. */
    public List<String> statusLines() {
        List<String> lines = new ArrayList<>();
        nodes.values().forEach(node -> lines.add(node.status()));
        return lines;
    }

    /**
     * Hands every step, as one line of text, to {@code printer} as it happens: the run's whole
     * trace (the same seed and inputs give the same lines).
     */
    public void onEveryStep(Consumer<String> printer) {
        trace.listen(printer);
    }

    /** Tells {@code listener} of every change of a node's role, term or known leader, as its driver reports it. */
    public void onStateChange(BiConsumer<NodeId, StateChange> listener) {
        this.stateListener = listener;
    }

    /** The network's chance of losing each message (0 to 1); the simulation's schedules set their own. */
    public void dropRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("a drop rate is between 0 and 1, was " + rate);
        }
        network.dropRate = rate;
    }

    /** Messages in flight in the network (sent, not yet delivered or lost). */
    public int messagesInFlight() {
        return network.inFlight();
    }
}
