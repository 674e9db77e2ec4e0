package io.clustermode.runtime;

import io.clustermode.Committed;
import io.clustermode.IndeterminateOutcomeException;
import io.clustermode.NotPrimaryException;
import io.clustermode.OverloadedException;
import io.clustermode.StateMachine;
import io.clustermode.raft.Canary;
import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Entry;
import io.clustermode.raft.EntryType;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.ProposeResult;
import io.clustermode.raft.RaftConfig;
import io.clustermode.raft.RaftCore;
import io.clustermode.raft.ForwardResult;
import io.clustermode.raft.ReadState;
import io.clustermode.raft.Ready;
import io.clustermode.raft.Role;
import io.clustermode.raft.Snapshot;
import io.clustermode.raft.StateChange;
import io.clustermode.storage.RaftStorage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one place that carries out a {@link RaftCore}'s {@link Ready}: storage writes, sends,
 * snapshot installs, applies, read answers and the completion of the futures that wait on
 * them, in the order the Ready contract demands. The runtime ({@link RaftNode}) and the
 * simulation both drive their cores through it, with their own storage, network and state
 * machine behind the same interfaces, so every simulated schedule also proves this order.
 *
 * <h2>The order, and why</h2>
 * <ol>
 *   <li>A leader's replication ({@link Ready#earlyMessages()}) leaves before its own write:
 *       the leader's disk and the followers' disks work at once (thesis §10.2.1); the leader
 *       counts itself only once its own write is durable.</li>
 *   <li>A snapshot from the leader is restored into the state machine before it is persisted:
 *       one the state machine cannot read must never reach the disk, where it would keep the
 *       node from starting again.</li>
 *   <li>Snapshot, entries and hard state are persisted, durably, before any other message
 *       leaves: a vote or an acknowledgement is a promise about what is on disk (Figure 2,
 *       "persistent state ... updated on stable storage before responding to RPCs").</li>
 *   <li>Then messages; then committed entries are applied in order, completing the
 *       proposals they answer; then reads whose index is applied are answered.</li>
 * </ol>
 *
 * <h2>Threading</h2>
 * Not thread-safe: the thread that owns the core calls every method. Futures complete on that
 * thread, so what is attached to them must not block.
 *
 * <h2>Failure</h2>
 * A storage failure surfaces as {@link UncheckedIOException}, a state machine that throws as
 * {@link StateMachineFailure}: the caller must stop the node, which must not speak on state it
 * could not persist or apply.
 *
 * @param <R> the state machine's result type
 */
public final class ReadyDriver<R> {

    /**
     * What the driver's owner hears as the work is done; each method is called on the driver's
     * thread, in the order of the work, and must not block. All do nothing by default.
     */
    public interface Hooks {

        /** The Ready's snapshot, entries and hard state are durable. */
        default void persisted(Ready ready) {
        }

        /** The state machine holds {@code snapshot}'s state now. */
        default void restored(Snapshot snapshot) {
        }

        /** {@code entry} is applied (every committed entry, commands or not). */
        default void applied(Entry entry) {
        }

        /** The core's role, term or known leader changed; pending proposals are already settled. */
        default void stateChanged(StateChange change) {
        }

        /** This node took a snapshot of its own state machine and persisted it. */
        default void snapshotTaken(Snapshot snapshot) {
        }

        /**
         * Partition ownership changed: {@code table} is the table as applied (null when only
         * this node's holdings changed), {@code events} the partitions this node began or stopped
         * holding, in order. Called before the Ready is acknowledged: the core reports a
         * partition given up only once this returned, so work on it must be stopped (or told
         * to stop) here.
         */
        default void partitionsChanged(io.clustermode.raft.PartitionTable table,
                                       List<io.clustermode.raft.PartitionEvent> events) {
        }

        /** One Ready was carried out and acknowledged to the core. */
        default void readyDone(Ready ready) {
        }
    }

    /** When the driver takes a snapshot of the state machine to bound the log. */
    @FunctionalInterface
    public interface SnapshotPolicy {

        /** Never: the log grows without bound (for tests). */
        SnapshotPolicy NEVER = (entries, bytes) -> false;

        /**
         * After {@code everyEntries} applied entries or {@code everyBytes} bytes of applied
         * commands past the last snapshot, whichever comes first.
         */
        static SnapshotPolicy every(long everyEntries, long everyBytes) {
            if (everyEntries <= 0 || everyBytes <= 0) {
                throw new IllegalArgumentException("a snapshot policy needs positive bounds, was " + everyEntries
                        + " entries, " + everyBytes + " bytes");
            }
            return (entries, bytes) -> entries >= everyEntries || bytes >= everyBytes;
        }

        /**
         * Whether a snapshot is due.
         *
         * @param entries entries applied since the last snapshot (at least one)
         * @param bytes   bytes of commands applied since the last snapshot
         */
        boolean due(long entries, long bytes);
    }

    /**
     * A proposal waiting to be applied at its index. {@code command} is set for one forwarded to
     * the leader: its entry must hold these very bytes (see {@link #forwardSettled}).
     */
    private record PendingProposal<R>(long term, byte[] command, CompletableFuture<Committed<R>> future) {
    }

    private record PendingRead<R>(Function<StateMachine<R>, ?> query, CompletableFuture<Object> future) {
    }

    private record ConfirmedReads<R>(long index, List<PendingRead<R>> reads) {
    }

    private record Applied<R>(long term, byte[] command, R result) {
    }

    /** A follower's batch handed to the leader, waiting for its answer: each command and its future. */
    private record Forwarded<R>(List<byte[]> commands, List<CompletableFuture<Committed<R>>> futures) {
    }

    /**
     * How many applied entries' results a follower keeps while it waits for the leader to say
     * where its forwarded commands went: the answer may come after the entries were applied.
     */
    private static final int MAX_REMEMBERED_RESULTS = 1 << 16;

    private final NodeId self;
    private final RaftCore core;
    private final RaftStorage storage;
    private final Consumer<Message> outbox;
    private final StateMachine<R> machine;
    private final SnapshotPolicy snapshotPolicy;
    private final Hooks hooks;
    private final boolean sendBeforeDurable;

    private final TreeMap<Long, PendingProposal<R>> proposals = new TreeMap<>();
    private final TreeMap<Long, CompletableFuture<Long>> configChanges = new TreeMap<>();
    private final List<PendingRead<R>> readBatch = new ArrayList<>();
    private final Map<Long, List<PendingRead<R>>> readsAwaitingConfirmation = new HashMap<>();
    private final List<ConfirmedReads<R>> readsAwaitingApply = new ArrayList<>();
    /**
     * The id of the next ReadIndex round or forwarded batch: one sequence for both (a follower's
     * core keeps them in one map), from a random start, so that an answer meant for this
     * node's previous run — a request delayed in the network, or on a connection that outlived
     * the process — cannot match a request of this one.
     */
    private long nextRequestId;
    private final List<byte[]> batch = new ArrayList<>();
    private final List<CompletableFuture<Committed<R>>> batchFutures = new ArrayList<>();
    private final Map<Long, Forwarded<R>> forwardsInFlight = new HashMap<>();
    /** Results of entries applied while forwards were in flight, by index; see {@link #MAX_REMEMBERED_RESULTS}. */
    private final Map<Long, Applied<R>> recentResults = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Applied<R>> eldest) {
            return size() > MAX_REMEMBERED_RESULTS;
        }
    };
    private long appliedIndex;
    private long lastSnapshotIndex;
    /** Bytes of commands applied since the last snapshot: the log in memory grows by as much. */
    private long bytesSinceSnapshot;

    private ReadyDriver(RaftCore core, RaftConfig config, RaftStorage storage, Consumer<Message> outbox,
                        StateMachine<R> machine, SnapshotPolicy snapshotPolicy, Hooks hooks) {
        this.self = core.id();
        this.core = core;
        this.storage = storage;
        this.outbox = outbox;
        this.machine = machine;
        this.snapshotPolicy = snapshotPolicy;
        this.hooks = hooks;
        this.sendBeforeDurable = config.broken(Canary.SEND_BEFORE_DURABLE);
    }

    /**
     * Loads what {@code storage} holds, makes the core from it and restores the state machine
     * from the stored snapshot.
     *
     * @param seed   the seed of the core's randomness (election timeouts) and of this run's request
     *               ids; drawn from the simulation's seed there, at random in a real node
     * @param outbox where the core's messages go
     * @throws IOException when the stored state cannot be read (the message says why)
     */
    public static <R> ReadyDriver<R> load(NodeId self, RaftConfig config, long seed, RaftStorage storage,
                                          Consumer<Message> outbox, StateMachine<R> machine,
                                          SnapshotPolicy snapshotPolicy, Hooks hooks) throws IOException {
        RaftStorage.StoredState stored = storage.load();
        RaftCore core = RaftCore.restart(self, config, new Random(seed), stored.hardState(), stored.snapshot(),
                stored.entries());
        ReadyDriver<R> driver = new ReadyDriver<>(core, config, storage, outbox, machine, snapshotPolicy, hooks);
        // A stream of its own (the core's draws stay as they were), below MessageCheck's bound on ids.
        driver.nextRequestId = new Random(~seed).nextLong() >>> 2;
        if (stored.snapshot() != null) {
            driver.restore(stored.snapshot());
            driver.appliedIndex = stored.snapshot().index();
            driver.lastSnapshotIndex = driver.appliedIndex;
        }
        return driver;
    }

    /** The core this driver carries out. */
    public RaftCore core() {
        return core;
    }

    /** The index of the last entry applied to the state machine (or restored with a snapshot). */
    public long appliedIndex() {
        return appliedIndex;
    }

    // ------------------------------------------------------------------ requests

    /**
     * Proposes {@code command}; {@code whenApplied} completes once it is committed and applied
     * here, or fails: at once when the core refuses it ({@link NotPrimaryException},
     * {@link OverloadedException}), later with {@link IndeterminateOutcomeException} when
     * primacy is lost before its fate is known.
     *
     * @return what the core said
     */
    public ProposeResult propose(byte[] command, CompletableFuture<Committed<R>> whenApplied) {
        ProposeResult result = core.propose(command);
        if (result instanceof ProposeResult.Accepted accepted) {
            proposals.put(accepted.index(), new PendingProposal<>(accepted.term(), null, whenApplied));
        } else {
            whenApplied.completeExceptionally(refusal((ProposeResult.Rejected) result));
        }
        return result;
    }

    /**
     * Proposes {@code command} on any member, with the others of this turn
     * ({@link #startProposals()}): the leader appends them together; a follower that knows its
     * leader hands them to it in one message (thesis §6.2). {@code whenApplied} completes once
     * the entry is committed and applied here; it fails with {@link NotPrimaryException} when no
     * leader is known or the leader refused (nothing appended), with
     * {@link IndeterminateOutcomeException} when the fate is unknown.
     */
    public void submit(byte[] command, CompletableFuture<Committed<R>> whenApplied) {
        batch.add(command);
        batchFutures.add(whenApplied);
    }

    /** Proposes, or hands to the leader, every command {@link #submit} queued since the last call. */
    public void startProposals() {
        if (batch.isEmpty()) {
            return;
        }
        List<byte[]> commands = new ArrayList<>(batch);
        List<CompletableFuture<Committed<R>>> futures = new ArrayList<>(batchFutures);
        batch.clear();
        batchFutures.clear();
        if (core.role() == Role.LEADER || core.leader() == null) {
            ProposeResult result = core.propose(commands);
            if (result instanceof ProposeResult.Accepted accepted) {
                for (int i = 0; i < futures.size(); i++) {
                    proposals.put(accepted.index() + i, new PendingProposal<>(accepted.term(), null, futures.get(i)));
                }
            } else {
                RuntimeException refused = refusal((ProposeResult.Rejected) result);
                futures.forEach(future -> future.completeExceptionally(refused));
            }
            return;
        }
        long id = nextRequestId++;
        if (core.forward(id, commands)) {
            forwardsInFlight.put(id, new Forwarded<>(commands, futures));
        } else {
            NotPrimaryException noLeader = new NotPrimaryException(self, null);
            futures.forEach(future -> future.completeExceptionally(noLeader));
        }
    }

    /**
     * Changes the configuration by one member; {@code whenApplied} completes with the change's
     * index once applied here, or fails as {@link #propose} does.
     *
     * @return what the core said
     */
    public ProposeResult changeConfiguration(ConfigChange change, CompletableFuture<Long> whenApplied) {
        ProposeResult result = core.changeConfiguration(change);
        if (result instanceof ProposeResult.Accepted accepted) {
            configChanges.put(accepted.index(), whenApplied);
        } else {
            whenApplied.completeExceptionally(refusal((ProposeResult.Rejected) result));
        }
        return result;
    }

    /**
     * Queues a linearizable read: {@code answer} completes with {@code query}'s result once a
     * ReadIndex round confirmed primacy (thesis §6.4) and the state machine reached the index it
     * returned. Reads queued together share one round: {@link #startReads()}.
     */
    @SuppressWarnings("unchecked")
    public <T> void read(Function<StateMachine<R>, T> query, CompletableFuture<T> answer) {
        readBatch.add(new PendingRead<>(query, (CompletableFuture<Object>) answer));
    }

    /**
     * Starts one ReadIndex round for every read queued since the last round: on the leader, or
     * asked of the leader by a follower (thesis §6.4.1), which answers once it has applied the
     * index the leader gave.
     *
     * @return false when this node knows no leader: the reads failed with {@link NotPrimaryException}
     */
    public boolean startReads() {
        if (readBatch.isEmpty()) {
            return true;
        }
        List<PendingRead<R>> reads = new ArrayList<>(readBatch);
        readBatch.clear();
        long id = nextRequestId++;
        if (core.readIndex(id)) {
            readsAwaitingConfirmation.put(id, reads);
            return true;
        }
        NotPrimaryException notPrimary = new NotPrimaryException(self, core.leader());
        reads.forEach(read -> read.future().completeExceptionally(notPrimary));
        return false;
    }

    // ------------------------------------------------------------------ the Ready

    /**
     * Carries out every Ready the core has, in the order above, then takes a snapshot if the
     * policy says one is due.
     *
     * @throws UncheckedIOException when the storage failed
     * @throws StateMachineFailure  when the state machine threw
     */
    public void handleReady() {
        while (core.hasReady()) {
            Ready ready = core.ready();
            sendAll(ready.earlyMessages());
            if (ready.snapshot() != null) {
                restore(ready.snapshot());
            }
            if (sendBeforeDurable) {
                sendAll(ready.messages()); // the canary: promises leave before what they promise is durable
            }
            if (ready.mustPersist()) {
                try {
                    storage.persist(ready.snapshot(), ready.entries(), ready.hardState());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                hooks.persisted(ready);
            }
            if (!sendBeforeDurable) {
                sendAll(ready.messages());
            }
            if (ready.snapshot() != null) {
                appliedIndex = ready.snapshot().index();
                lastSnapshotIndex = appliedIndex;
                bytesSinceSnapshot = 0;
                failProposalsUpTo(appliedIndex);
            }
            // Indexed loops: this runs after every input, and an iterator per list per Ready adds up
            // (the lists are random-access copies).
            List<ForwardResult> forwarded = ready.forwardResults();
            for (int i = 0; i < forwarded.size(); i++) {
                forwardSettled(forwarded.get(i));
            }
            List<Entry> committed = ready.committedEntries();
            for (int i = 0; i < committed.size(); i++) {
                apply(committed.get(i));
            }
            List<ReadState> readStates = ready.readStates();
            for (int i = 0; i < readStates.size(); i++) {
                confirmReads(readStates.get(i));
            }
            List<StateChange> changes = ready.stateChanges();
            for (int i = 0; i < changes.size(); i++) {
                stateChanged(changes.get(i));
            }
            if (ready.partitions() != null || !ready.partitionEvents().isEmpty()) {
                hooks.partitionsChanged(ready.partitions(), ready.partitionEvents());
            }
            core.advance(ready);
            serveReads();
            hooks.readyDone(ready);
        }
        maybeSnapshot();
    }

    private void sendAll(List<Message> messages) {
        for (int i = 0; i < messages.size(); i++) {
            outbox.accept(messages.get(i));
        }
    }

    private void restore(Snapshot snapshot) {
        try {
            machine.restore(snapshot.data());
        } catch (RuntimeException e) {
            throw new StateMachineFailure(e);
        }
        hooks.restored(snapshot);
    }

    private void apply(Entry entry) {
        R result;
        try {
            result = entry.type() == EntryType.COMMAND ? machine.apply(entry.index(), entry.data()) : null;
        } catch (RuntimeException e) {
            // Every node applies the same command: a state machine that throws on it would
            // throw everywhere, or its replicas would diverge. Either way this node cannot go on.
            throw new StateMachineFailure(e);
        }
        appliedIndex = entry.index();
        bytesSinceSnapshot += entry.data().length;
        if (!forwardsInFlight.isEmpty()) {
            recentResults.put(entry.index(), new Applied<>(entry.term(), entry.data(), result));
        }
        hooks.applied(entry);
        PendingProposal<R> pending = proposals.remove(entry.index());
        if (pending != null) {
            if (pending.term() == entry.term()
                    && (pending.command() == null || java.util.Arrays.equals(pending.command(), entry.data()))) {
                pending.future().complete(new Committed<>(entry.index(), entry.term(), result));
            } else {
                pending.future().completeExceptionally(new IndeterminateOutcomeException("another entry was committed at "
                        + entry.index() + ", where the command was to be"));
            }
        }
        CompletableFuture<Long> change = configChanges.remove(entry.index());
        if (change != null) {
            change.complete(entry.index());
        }
    }

    /**
     * The leader said what became of a forwarded batch. Its answer names the index of each
     * command; the entry there must also hold the command's bytes before the command counts as
     * committed: the answer is trusted for where to look, never for what is there.
     */
    private void forwardSettled(ForwardResult forward) {
        Forwarded<R> forwarded = forwardsInFlight.remove(forward.id());
        if (forwarded == null) {
            return;
        }
        List<CompletableFuture<Committed<R>>> futures = forwarded.futures();
        switch (forward.outcome()) {
            case APPENDED -> {
                for (int i = 0; i < futures.size(); i++) {
                    long index = forward.firstIndex() + i;
                    byte[] command = forwarded.commands().get(i);
                    if (index > appliedIndex) {
                        proposals.put(index, new PendingProposal<>(forward.term(), command, futures.get(i)));
                    } else {
                        settleApplied(index, forward.term(), command, futures.get(i));
                    }
                }
            }
            case REFUSED -> {
                NotPrimaryException refused = new NotPrimaryException(self, core.leader());
                futures.forEach(future -> future.completeExceptionally(refused));
            }
            case UNKNOWN -> {
                IndeterminateOutcomeException unknown = new IndeterminateOutcomeException(self
                        + " had no answer from the primary it handed the command to");
                futures.forEach(future -> future.completeExceptionally(unknown));
            }
        }
        if (forwardsInFlight.isEmpty()) {
            recentResults.clear();
        }
    }

    /** The leader's answer came after the entry at {@code index} was applied here. */
    private void settleApplied(long index, long term, byte[] command, CompletableFuture<Committed<R>> future) {
        Applied<R> applied = recentResults.get(index);
        if (applied == null) {
            future.completeExceptionally(new IndeterminateOutcomeException(self + " applied index " + index
                    + " before the primary said the command went there, and no longer knows its result"));
        } else if (applied.term() == term && java.util.Arrays.equals(applied.command(), command)) {
            future.complete(new Committed<>(index, term, applied.result()));
        } else {
            future.completeExceptionally(new IndeterminateOutcomeException("another entry was committed at "
                    + index + ", where the command was to be"));
        }
    }

    private void failProposalsUpTo(long index) {
        if ((proposals.isEmpty() || proposals.firstKey() > index)
                && (configChanges.isEmpty() || configChanges.firstKey() > index)) {
            return;
        }
        IndeterminateOutcomeException unknown = new IndeterminateOutcomeException(self
                + " installed a snapshot over pending commands");
        while (!proposals.isEmpty() && proposals.firstKey() <= index) {
            proposals.pollFirstEntry().getValue().future().completeExceptionally(unknown);
        }
        while (!configChanges.isEmpty() && configChanges.firstKey() <= index) {
            configChanges.pollFirstEntry().getValue().completeExceptionally(unknown);
        }
    }

    private void confirmReads(ReadState state) {
        List<PendingRead<R>> reads = readsAwaitingConfirmation.remove(state.requestId());
        if (reads == null) {
            return;
        }
        if (state.confirmed()) {
            readsAwaitingApply.add(new ConfirmedReads<>(state.index(), reads));
        } else {
            NotPrimaryException lost = new NotPrimaryException(self, core.leader());
            reads.forEach(read -> read.future().completeExceptionally(lost));
        }
    }

    private void serveReads() {
        if (readsAwaitingApply.isEmpty()) {
            return;
        }
        List<ConfirmedReads<R>> stillWaiting = new ArrayList<>();
        for (ConfirmedReads<R> confirmed : readsAwaitingApply) {
            if (confirmed.index() > appliedIndex) {
                stillWaiting.add(confirmed);
                continue;
            }
            for (PendingRead<R> read : confirmed.reads()) {
                try {
                    read.future().complete(read.query().apply(machine));
                } catch (RuntimeException e) {
                    read.future().completeExceptionally(e);
                }
            }
        }
        readsAwaitingApply.clear();
        readsAwaitingApply.addAll(stillWaiting);
    }

    private void stateChanged(StateChange change) {
        if (change.role() != Role.LEADER) {
            // Proposals appended while leader may still commit under the next leader, or not.
            IndeterminateOutcomeException unknown = new IndeterminateOutcomeException(self
                    + " lost primacy before learning whether the command committed (" + change.reason() + ")");
            proposals.values().forEach(p -> p.future().completeExceptionally(unknown));
            proposals.clear();
            configChanges.values().forEach(f -> f.completeExceptionally(unknown));
            configChanges.clear();
        }
        hooks.stateChanged(change);
    }

    private void maybeSnapshot() {
        long sinceLast = appliedIndex - lastSnapshotIndex;
        if (sinceLast <= 0 || core.appliedIndex() != appliedIndex || !snapshotPolicy.due(sinceLast, bytesSinceSnapshot)) {
            return;
        }
        byte[] state;
        try {
            state = machine.snapshot();
        } catch (RuntimeException e) {
            throw new StateMachineFailure(e);
        }
        Snapshot snapshot = core.compact(appliedIndex, state);
        try {
            storage.saveSnapshot(snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bytesSinceSnapshot = 0;
        lastSnapshotIndex = appliedIndex;
        hooks.snapshotTaken(snapshot);
    }

    // ------------------------------------------------------------------ stopping

    /**
     * Fails every request still waiting: proposals and configuration changes with
     * {@link IndeterminateOutcomeException} (they may yet commit elsewhere), reads and commands
     * not yet proposed with {@code readFailure} (nothing was done). For a node that stops.
     */
    public void failEverything(RuntimeException readFailure) {
        IndeterminateOutcomeException unknown = new IndeterminateOutcomeException(self
                + " stopped before learning whether the command committed");
        proposals.values().forEach(p -> p.future().completeExceptionally(unknown));
        proposals.clear();
        configChanges.values().forEach(f -> f.completeExceptionally(unknown));
        configChanges.clear();
        readBatch.forEach(read -> read.future().completeExceptionally(readFailure));
        readBatch.clear();
        batchFutures.forEach(future -> future.completeExceptionally(readFailure)); // never proposed
        batch.clear();
        batchFutures.clear();
        forwardsInFlight.values().forEach(f -> f.futures().forEach(future -> future.completeExceptionally(unknown)));
        forwardsInFlight.clear();
        recentResults.clear();
        readsAwaitingConfirmation.values().forEach(reads -> reads.forEach(
                read -> read.future().completeExceptionally(readFailure)));
        readsAwaitingConfirmation.clear();
        readsAwaitingApply.forEach(confirmed -> confirmed.reads().forEach(
                read -> read.future().completeExceptionally(readFailure)));
        readsAwaitingApply.clear();
    }

    private RuntimeException refusal(ProposeResult.Rejected rejected) {
        return switch (rejected.reason()) {
            case NOT_LEADER -> new NotPrimaryException(self, rejected.leaderHint());
            case TRANSFER_IN_PROGRESS -> new NotPrimaryException(self, null);
            case CONFIG_CHANGE_PENDING, LEADER_NOT_READY -> new OverloadedException(self
                    + " cannot change the configuration now: " + rejected.reason());
            case INVALID_CHANGE -> new IllegalArgumentException("the change does not fit the configuration "
                    + core.configuration());
        };
    }
}
