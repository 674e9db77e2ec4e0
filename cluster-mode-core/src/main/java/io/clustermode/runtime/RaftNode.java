package io.clustermode.runtime;

import io.clustermode.ClusterClosedException;
import io.clustermode.Committed;
import io.clustermode.IndeterminateOutcomeException;
import io.clustermode.NotPrimaryException;
import io.clustermode.OverloadedException;
import io.clustermode.StateMachine;
import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Configuration;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.RaftCore;
import io.clustermode.raft.Ready;
import io.clustermode.raft.Role;
import io.clustermode.raft.Snapshot;
import io.clustermode.raft.StateChange;
import io.clustermode.storage.RaftStorage;
import io.clustermode.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One Raft node at run time: a {@link RaftCore} driven by one event-loop thread, with real
 * storage, a transport, a clock and the application's {@link StateMachine}.
 *
 * <h2>Threading</h2>
 * One thread, the event loop, owns the core, the storage and the state machine; nothing else
 * touches them. Every public method may be called from any thread: it queues its work for the
 * loop and returns a future. Futures complete on the event loop, so callbacks attached to them
 * must not block. Listeners are called on the event loop too. The loop, the clock and the
 * randomness come from a {@link NodeRuntime}: with {@link NodeRuntime#threads()} the loop is a
 * thread of its own; the testkit's runtime turns it instead, on virtual time.
 *
 * <h2>The loop</h2>
 * Each turn: take every queued input (messages, requests), feed them to the core, tick the
 * core for the time that passed, then have the {@link ReadyDriver} carry out the core's
 * {@link Ready} in the order it demands — persist (one fsync for the whole turn: group
 * commit), send, apply, answer reads — and acknowledge it. The simulation drives its cores
 * through the same driver.
 *
 * <h2>Failure</h2>
 * A proposal completes with its {@link Committed} index, term and result once applied, or
 * fails with {@link NotPrimaryException} (nothing proposed), {@link OverloadedException}
 * (nothing proposed) or {@link IndeterminateOutcomeException} (proposed, fate unknown: primacy
 * was lost first). A storage failure stops the node: it must not speak on state it could not
 * persist.
 *
 * @param <R> the state machine's result type
 */
public final class RaftNode<R> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    private static final int MAX_BATCH = 4096;

    /** One input for the loop; {@code future} (null for messages) fails if the node stops first. */
    private record Task(Work work, CompletableFuture<?> future) {
    }

    private final NodeSettings settings;
    private final NodeId self;
    private final RaftStorage storage;
    private final Transport transport;
    private final StateMachine<R> machine;
    private final ReadyDriver<R> driver;
    private final RaftCore core;
    private final long tickNanos;

    private final NodeRuntime runtime;
    private final LinkedBlockingQueue<Task> inbox;
    /** Counted down once the loop has ended ({@link #close()} waits for it). */
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    /** Inputs of the turn in progress (the loop's). */
    private final List<Task> batch = new ArrayList<>();
    /** When the core is due its next tick, on the runtime's clock (the loop's). */
    private long nextTick;
    private volatile boolean running = true;
    private volatile NodeStatus status;
    private final CopyOnWriteArrayList<Consumer<StateChange>> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<Throwable>> failureListeners = new CopyOnWriteArrayList<>();
    private volatile Throwable failure;
    private volatile NodeObserver observer = NodeObserver.NONE;
    private final CopyOnWriteArrayList<Consumer<Configuration>> configurationListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<java.util.function.BiConsumer<io.clustermode.raft.PartitionTable,
            List<io.clustermode.raft.PartitionEvent>>> partitionListeners = new CopyOnWriteArrayList<>();
    /** When each member or expected peer last sent a message this node took (written by the loop). */
    private final java.util.concurrent.ConcurrentHashMap<NodeId, Long> lastHeard =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile java.util.Set<NodeId> expectedPeers = java.util.Set.of();
    /** Bytes of inbound messages in the inbox; see {@link #pauseOrResumeInbound()}. */
    private final java.util.concurrent.atomic.AtomicLong inboxBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean inboundPaused;
    /** Refusals are logged once a minute per peer at most: a faulty peer must not flood the log. */
    private final io.clustermode.transport.OncePerKey refusals =
            new io.clustermode.transport.OncePerKey(java.time.Duration.ofMinutes(1));
    /** When each peer last answered this node's appends or heartbeats (owned by the loop). */
    private final Map<NodeId, Long> lastAnswered = new HashMap<>();
    /** When this node last asked the transport to reconnect to each peer (owned by the loop). */
    private final Map<NodeId, Long> lastReconnect = new HashMap<>();
    private long nextAnswerCheck;
    private Configuration announcedConfiguration;

    /** The id the cluster chose at bootstrap; empty until this node knows it (written by the loop). */
    private volatile String clusterId;
    /** Whether the core counts this node as healthy (published by the event loop). */
    private volatile boolean healthy = true;
    /** The core's health note last logged (event loop only). */
    private String loggedHealthNote;

    private RaftNode(NodeSettings settings, RaftStorage storage, Transport transport, StateMachine<R> machine,
                     NodeRuntime runtime) throws IOException {
        this.settings = settings;
        this.runtime = runtime;
        this.self = settings.nodeId();
        this.storage = storage;
        this.transport = transport;
        this.machine = machine;
        this.tickNanos = settings.tick().toNanos();
        this.inbox = new LinkedBlockingQueue<>(settings.maxQueuedRequests());
        this.driver = ReadyDriver.load(self, settings.coreConfig(), runtime.randomSeed(),
                new ObservedStorage(storage, () -> observer), transport::send, machine,
                ReadyDriver.SnapshotPolicy.every(settings.snapshotEvery(), settings.snapshotEveryBytes()), new Hooks());
        this.core = driver.core();
        this.clusterId = storage.clusterId().orElse("");
        publishStatus();
    }

    /**
     * Loads the node's state from {@code storage}, starts the transport and the event loop.
     *
     * @throws IOException when the stored state cannot be read (the message says why)
     */
    public static <R> RaftNode<R> start(NodeSettings settings, RaftStorage storage, Transport transport,
                                        StateMachine<R> machine) throws IOException {
        return start(settings, storage, transport, machine, asker -> new byte[0]);
    }

    /**
     * As {@link #start(NodeSettings, RaftStorage, Transport, StateMachine)}, answering nodes that
     * ask who this one is ({@link Transport#identify}) with {@code describeSelf}, which is
     * called on a transport thread and must not block.
     */
    public static <R> RaftNode<R> start(NodeSettings settings, RaftStorage storage, Transport transport,
                                        StateMachine<R> machine, Function<NodeId, byte[]> describeSelf)
            throws IOException {
        return start(settings, storage, transport, machine, describeSelf, NodeRuntime.threads());
    }

    /**
     * As {@link #start(NodeSettings, RaftStorage, Transport, StateMachine, Function)}, on
     * {@code runtime}'s clock, randomness and event-loop driving instead of a thread of its own.
     */
    public static <R> RaftNode<R> start(NodeSettings settings, RaftStorage storage, Transport transport,
                                        StateMachine<R> machine, Function<NodeId, byte[]> describeSelf,
                                        NodeRuntime runtime) throws IOException {
        RaftNode<R> node = new RaftNode<>(settings, storage, transport, machine, runtime);
        if (!node.clusterId.isEmpty()) {
            transport.clusterId(node.clusterId);
        }
        transport.start(new Transport.Listener() {
            @Override
            public void onMessage(Message message) {
                node.receive(message);
            }

            @Override
            public byte[] describeSelf(NodeId asker) {
                return describeSelf.apply(asker);
            }

            @Override
            public void onPeerUnreachable(NodeId peer, String reason) {
                node.inbox.offer(new Task(() -> node.core.peerUnreachable(peer), null));
            }
        });
        node.nextTick = runtime.nanoTime() + node.tickNanos;
        runtime.startLoop("cluster-mode-" + node.self, node.new Loop());
        LOG.info("node {} started at term {} with {}", node.self, node.core.term(), node.core.configuration());
        return node;
    }

    // ------------------------------------------------------------------ public API

    /** This node's id. */
    public NodeId id() {
        return self;
    }

    /** The node as it is now. */
    public NodeStatus status() {
        return status;
    }

    /** Observes the event loop's work (for metrics); replaces the previous observer. */
    public void observe(NodeObserver newObserver) {
        this.observer = java.util.Objects.requireNonNull(newObserver, "observer");
    }

    /** The id this node's cluster chose when it was bootstrapped; empty until this node knows it. */
    public java.util.Optional<String> clusterId() {
        return clusterId.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(clusterId);
    }

    /**
     * Called on the event loop when partition ownership changes (the table as applied, null when
     * only this node's holdings changed; the partitions this node began or stopped holding).
     * The core reports a partition given up only after this returned: stop work on it here
     * (interrupt, do not wait). Must not block.
     */
    public void addPartitionListener(java.util.function.BiConsumer<io.clustermode.raft.PartitionTable,
            List<io.clustermode.raft.PartitionEvent>> listener) {
        partitionListeners.add(listener);
    }

    /** This node takes part in partition group {@code group} of {@code count} partitions (see {@code RaftCore}). */
    public CompletableFuture<Void> declarePartitions(String group, int count) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> {
            try {
                core.declarePartitions(group, count);
                future.complete(null);
            } catch (IllegalArgumentException refused) { // a bad name or count: the caller's, not the node's, failure
                future.completeExceptionally(refused);
            }
        });
        return future;
    }

    /** This node no longer takes part in {@code group}. */
    public CompletableFuture<Void> withdrawPartitions(String group) {
        return call(() -> {
            core.withdrawPartitions(group);
            return null;
        });
    }

    /** Called on the event loop when the configuration in effect changes; must not block. */
    public void addConfigurationListener(Consumer<Configuration> listener) {
        configurationListeners.add(listener);
    }

    /** How long ago a message from {@code peer} arrived; empty when none ever did. */
    public java.util.Optional<java.time.Duration> sinceHeardFrom(NodeId peer) {
        Long at = lastHeard.get(peer);
        return at == null ? java.util.Optional.empty()
                : java.util.Optional.of(java.time.Duration.ofNanos(runtime.nanoTime() - at));
    }

    /** The transport this node sends through. */
    public Transport transport() {
        return transport;
    }

    /** Called on the event loop for every change of role, term or leader; must not block. */
    public void addListener(Consumer<StateChange> listener) {
        listeners.add(listener);
    }

    /**
     * Called once, on the event loop as it ends, when the node cannot go on: its storage failed
     * (disk full, I/O error), its state machine threw, or an {@link Error}. By then the node has
     * stopped, failed every pending request and closed its transport. Must not block.
     */
    public void addFailureListener(Consumer<Throwable> listener) {
        failureListeners.add(listener);
    }

    /** Why the node stopped on its own; empty while it runs or after a plain {@link #close()}. */
    public java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    /**
     * Starts a new cluster with this configuration, if this node has never been part of one
     * (otherwise it does nothing). Every node that bootstraps the same cluster must pass the
     * same configuration.
     */
    public CompletableFuture<Void> bootstrap(Configuration initial) {
        return call(() -> {
            if (core.lastIndex() == 0 && core.term() == 0) {
                core.bootstrap(initial);
                if (initial.members().equals(java.util.Set.of(self)) && clusterId.isEmpty()) {
                    // A cluster begun by one node gets its id from it; every node that joins
                    // learns it from its primary. (Nodes that each bootstrap the same list of
                    // voters could not agree on one, and go without.)
                    adoptClusterId(java.util.UUID.randomUUID().toString(), "chose");
                }
                LOG.info("node {} bootstrapped a cluster of {}{}", self, initial,
                        clusterId.isEmpty() ? "" : " with cluster id " + clusterId);
            }
            return null;
        });
    }

    /**
     * Proposes {@code command}; completes once it is committed and applied here. A follower
     * hands it to its leader, with the others of the same turn, as one Raft message.
     */
    public CompletableFuture<Committed<R>> propose(byte[] command) {
        CompletableFuture<Committed<R>> future = new CompletableFuture<>();
        byte[] copy = command.clone();
        submit(future, () -> driver.submit(copy, future));
        return future;
    }

    /**
     * Runs {@code query} on the state machine once it reflects every command committed before
     * this call (a linearizable read through ReadIndex, thesis §6.4). A follower asks its leader
     * for the index and answers from its own state machine once it has applied it (§6.4.1); a
     * node that knows no leader fails it with {@link NotPrimaryException}.
     */
    public <T> CompletableFuture<T> read(Function<StateMachine<R>, T> query) {
        CompletableFuture<T> future = new CompletableFuture<>();
        submit(future, () -> driver.read(query, future));
        return future;
    }

    /** Runs {@code query} on this node's state machine as it is now, possibly behind the primary. */
    public <T> CompletableFuture<T> readStale(Function<StateMachine<R>, T> query) {
        return call(() -> query.apply(machine));
    }

    /** Changes the configuration by one member; completes with the change's index once applied. */
    public CompletableFuture<Long> changeConfiguration(ConfigChange change) {
        CompletableFuture<Long> future = new CompletableFuture<>();
        submit(future, () -> driver.changeConfiguration(change, future));
        return future;
    }

    /**
     * On a leader, each other member's match index (see {@link RaftCore#matchIndexes()}) with this
     * node's own last index, read on the event loop in one consistent picture; the map is empty
     * on any other role.
     */
    public CompletableFuture<Map<NodeId, Long>> matchIndexes() {
        return call(() -> {
            Map<NodeId, Long> match = core.matchIndexes();
            if (match.isEmpty() && core.role() != Role.LEADER) {
                return match;
            }
            Map<NodeId, Long> out = new java.util.TreeMap<>(match);
            out.put(self, core.lastIndex());
            return out;
        });
    }

    /**
     * The latest result of this node's health checks (true: all pass). See
     * {@link RaftCore#reportHealth(boolean)}: an unhealthy leader hands leadership to a healthy
     * voter, and an unhealthy node counts as healthy again only after
     * {@link NodeSettings#healthRecovery()} of passing reports. Call it at a steady interval.
     */
    public void reportHealth(boolean passing) {
        submit(new CompletableFuture<>(), () -> core.reportHealth(passing));
    }

    /** Whether this node counts as healthy now (see {@link #reportHealth(boolean)}). */
    public boolean healthy() {
        return healthy;
    }

    /** Starts handing leadership to {@code target}; false when this node is not the leader or it is no voter. */
    public CompletableFuture<Boolean> transferLeadership(NodeId target) {
        return call(() -> core.transferLeadership(target));
    }

    /** Stops the event loop, the transport and the storage. Pending requests fail. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        if (runtime.drivesLoops()) {
            end(); // nobody else turns the loop: it ends here, on the runtime's thread
        }
        // Wake the loop rather than interrupt it: an interrupt in the middle of a file write
        // closes the file channel (NIO) and leaves a torn record for no reason.
        inbox.offer(new Task(() -> { }, null));
        try {
            ended.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transport.close();
        try {
            storage.close();
        } catch (IOException e) {
            LOG.warn("node {}: closing storage failed: {}", self, e.toString());
        }
    }

    // ------------------------------------------------------------------ queueing

    private void receive(Message message) {
        long size = sizeOf(message);
        if (inboxBytes.addAndGet(size) > settings.maxInboxBytes() && !inboundPaused) {
            pauseOrResumeInbound();
        }
        // Messages may be dropped when the loop is swamped: Raft retries what matters.
        if (!inbox.offer(new Task(() -> {
            inboxBytes.addAndGet(-size);
            step(message);
        }, null))) {
            inboxBytes.addAndGet(-size);
        }
    }

    private static long sizeOf(Message message) {
        try {
            return io.clustermode.codec.MessageCodec.sizeOf(message);
        } catch (IllegalArgumentException tooLarge) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * Stops the transport reading while the inbox holds more than {@code maxInboxBytes}, and lets
     * it read again once the loop has worked it down to half. One lock, so that a pause and a
     * resume racing from two threads cannot leave the transport paused for good.
     */
    private void pauseOrResumeInbound() {
        synchronized (inboxBytes) {
            long queued = inboxBytes.get();
            if (!inboundPaused && queued > settings.maxInboxBytes()) {
                inboundPaused = true;
                LOG.debug("node {}: inbox holds {} bytes; the transport stops reading", self, queued);
                transport.pauseInbound();
            } else if (inboundPaused && queued <= settings.maxInboxBytes() / 2) {
                inboundPaused = false;
                transport.resumeInbound();
            }
        }
    }

    /** Hands an inbound message to the core, unless it comes from a stranger or the core refuses it. */
    private void step(Message message) {
        NodeId from = message.from();
        Configuration configuration = core.configuration();
        // A node that belongs to no cluster yet must hear whoever adds it; after that, only
        // members and the peers discovery names (those about to be added) are listened to.
        if (!configuration.isEmpty() && !configuration.contains(from) && !expectedPeers.contains(from)) {
            refused(message, "from a node that is neither a member nor a discovered peer");
            return;
        }
        java.util.Optional<String> refusal = core.step(message);
        if (refusal.isPresent()) {
            refused(message, refusal.get());
            return;
        }
        long now = runtime.nanoTime();
        lastHeard.put(from, now);
        if (message instanceof Message.AppendResponse || message instanceof Message.HeartbeatResponse
                || message instanceof Message.InstallSnapshotResponse) {
            lastAnswered.put(from, now);
        }
    }

    private void refused(Message message, String reason) {
        observer.messageRefused(message.from(), message.getClass().getSimpleName());
        if (refusals.shouldAct(message.from().value())) {
            LOG.warn("node {} (term {}): refused a {} from {}: {}", self, core.term(),
                    message.getClass().getSimpleName(), message.from(), reason);
        }
    }

    /**
     * The peers discovery names, besides the members: messages from them are taken (a node being
     * added may speak before this node has the entry that adds it). Replaces the previous set.
     */
    public void expectPeers(java.util.Set<NodeId> peers) {
        expectedPeers = java.util.Set.copyOf(peers);
    }

    private <T> CompletableFuture<T> call(java.util.concurrent.Callable<T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        submit(future, () -> future.complete(work.call()));
        return future;
    }

    private interface Work {
        void run() throws Exception;
    }

    private void submit(CompletableFuture<?> future, Work work) {
        if (!running) {
            future.completeExceptionally(new ClusterClosedException(self + " is shut down"));
            return;
        }
        Task task = new Task(work, future);
        boolean queued = inbox.offer(task);
        if (queued && !running && inbox.remove(task)) {
            // The loop stopped between the check above and the offer: nobody will run it.
            future.completeExceptionally(new ClusterClosedException(self + " is shut down"));
            return;
        }
        if (!queued) {
            future.completeExceptionally(new OverloadedException(self + " has " + inbox.size()
                    + " requests queued; try again later"));
        }
    }

    // ------------------------------------------------------------------ the event loop

    /** The event loop as the runtime sees it: on a thread of its own, or turned by the runtime. */
    private final class Loop implements NodeRuntime.EventLoop {

        @Override
        public void runOnThisThread() {
            run();
        }

        @Override
        public void turn() {
            drivenTurn();
        }

        @Override
        public boolean hasWork() {
            return !inbox.isEmpty();
        }

        @Override
        public long wakeAt() {
            return RaftNode.this.wakeAt();
        }

        @Override
        public boolean running() {
            return running;
        }
    }

    /** The loop on its own thread: waits for input or the next timer, turns, until the node stops. */
    private void run() {
        try {
            while (running) {
                long wait = wakeAt() - runtime.nanoTime();
                Task first = wait > 0 ? inbox.poll(wait, TimeUnit.NANOSECONDS) : inbox.poll();
                if (first != null) {
                    batch.add(first);
                    inbox.drainTo(batch, MAX_BATCH);
                }
                turn(runtime.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            end();
        }
    }

    /** One turn when the runtime drives the loop (no thread of its own): the same turn, without the wait. */
    private void drivenTurn() {
        if (!running) {
            return;
        }
        try {
            inbox.drainTo(batch, MAX_BATCH);
            turn(runtime.nanoTime());
        } catch (RuntimeException | Error e) {
            fail(e);
            end();
        }
    }

    /**
     * When the loop must turn next without input: it sleeps through the ticks that only count (an
     * idle follower wakes for its leader's heartbeats, not a hundred times a second).
     */
    private long wakeAt() {
        return nextTick + (core.ticksUntilTimer() - 1) * tickNanos;
    }

    /** One turn of the loop over the inputs in {@link #batch}, at {@code now}. */
    private void turn(long now) {
        // Catch up on the slept ticks before the messages, so that they meet the right
        // clock (a vote request checks how long ago the leader was heard), but fire no
        // timer before them: after a stall, a queued heartbeat must come before the
        // election timeout it would have prevented.
        while (now - nextTick >= 0 && core.ticksUntilTimer() > 1) {
            core.tick();
            nextTick += tickNanos;
        }
        for (Task task : batch) {
            perform(task);
        }
        batch.clear();
        if (inboundPaused) {
            pauseOrResumeInbound();
        }
        // One ReadIndex round serves every read that arrived in this turn, and one
        // message to the leader carries every command a follower was given in it.
        driver.startReads();
        driver.startProposals();
        while (now - nextTick >= 0) {
            core.tick();
            nextTick += tickNanos;
        }
        handleReady();
        if (now - nextAnswerCheck >= 0) {
            reconnectSilentFollowers(now);
            nextAnswerCheck = now + settings.electionTimeout().toNanos() / 2;
        }
    }

    /** The loop cannot go on: says why, once. */
    private void fail(Throwable e) {
        if (e instanceof UncheckedIOException io) {
            stopFor(io.getCause(), "its storage failed: " + io.getCause());
        } else if (e instanceof StateMachineFailure machineFailure) {
            stopFor(machineFailure.getCause(), "its state machine threw: " + machineFailure.getCause());
        } else if (e instanceof Error) {
            stopFor(e, "an Error: " + e);
        } else {
            LOG.error("node {} stops at term {}: its state is impossible", self, core.term(), e);
            failure = e;
        }
    }

    /** The loop has ended: pending work fails, and a node that failed leaves. Once. */
    private void end() {
        if (ended.getCount() == 0) {
            return;
        }
        running = false;
        failEverything();
        publishStatus();
        if (failure != null) {
            leave();
        }
        ended.countDown();
    }

    /** Records why the node cannot go on, in one log line naming the node, the term and the cause. */
    private void stopFor(Throwable cause, String why) {
        failure = cause;
        LOG.error("node {} stops at term {} and leaves the cluster: {}", self, core.term(), why);
    }

    /**
     * A node that cannot go on stops being a member at once: its ports close (its peers see it
     * gone, as after a crash, and elect another primary), then the failure listeners hear why.
     */
    private void leave() {
        transport.close();
        for (Consumer<Throwable> listener : failureListeners) {
            try {
                listener.accept(failure);
            } catch (RuntimeException e) {
                LOG.warn("node {}: a failure listener failed: {}", self, e.toString());
            }
        }
    }

    /**
     * A leader whose follower has not answered for two election timeouts asks the transport to
     * connect to it anew: a connection can look healthy and lead nowhere (half-open, after the
     * follower's process was replaced), and the follower cannot tell — it hears nothing, and its
     * own campaigns are refused by voters that still hear this leader.
     */
    private void reconnectSilentFollowers(long now) {
        if (core.role() != Role.LEADER) {
            lastAnswered.clear();
            return;
        }
        long silence = 2 * settings.electionTimeout().toNanos();
        for (NodeId peer : core.configuration().members()) {
            if (peer.equals(self)) {
                continue;
            }
            long answered = lastAnswered.computeIfAbsent(peer, p -> now);
            long asked = lastReconnect.getOrDefault(peer, now - silence);
            if (now - answered >= silence && now - asked >= silence) {
                lastReconnect.put(peer, now);
                transport.reconnect(peer);
            }
        }
    }

    private static void perform(Task task) {
        try {
            task.work().run();
        } catch (RuntimeException | Error fatal) {
            throw fatal;
        } catch (Exception e) {
            task.future().completeExceptionally(e);
        }
    }

    private void handleReady() {
        driver.handleReady();
        healthy = core.healthy();
        String note = core.healthNote();
        if (!java.util.Objects.equals(note, loggedHealthNote)) {
            if (note != null) {
                LOG.warn("node {} term {}: {}", self, core.term(), note);
            } else if (core.role() == Role.LEADER && core.healthy()) {
                LOG.info("node {} term {}: healthy again", self, core.term());
            }
            loggedHealthNote = note;
        }
        if (clusterId.isEmpty()) {
            learnClusterId();
        }
        publishStatus();
    }

    /**
     * A member that follows a primary takes its cluster's id from the primary's handshake: the
     * primary speaks for the cluster whose log this node now holds. Once recorded, the node
     * refuses peers of any other id, also after a restart.
     */
    private void learnClusterId() {
        NodeId leader = core.leader();
        if (core.role() == Role.FOLLOWER && leader != null && core.configuration().contains(self)) {
            transport.peerClusterId(leader).ifPresent(id -> adoptClusterId(id, "learned from " + leader));
        }
    }

    private void adoptClusterId(String id, String how) {
        try {
            storage.recordClusterId(id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        clusterId = id;
        transport.clusterId(id);
        LOG.info("node {} term {}: cluster id {} ({})", self, core.term(), id, how);
    }

    /** What the driver tells the node: state changes for the log, the metrics and the listeners. */
    private final class Hooks implements ReadyDriver.Hooks {

        @Override
        public void stateChanged(StateChange change) {
            announce(change);
        }

        @Override
        public void partitionsChanged(io.clustermode.raft.PartitionTable table,
                                      List<io.clustermode.raft.PartitionEvent> events) {
            for (io.clustermode.raft.PartitionEvent event : events) {
                LOG.info("node {} term {}: {} partition {}/{} (epoch {}): {}", self, core.term(),
                        event.held() ? "holds" : "gave up", event.group(), event.partition(), event.epoch(),
                        event.reason());
            }
            for (var listener : partitionListeners) {
                try {
                    listener.accept(table, events);
                } catch (RuntimeException e) {
                    LOG.warn("node {}: a partition listener failed: {}", self, e.toString());
                }
            }
        }

        @Override
        public void snapshotTaken(Snapshot snapshot) {
            LOG.debug("node {} took a snapshot at index {}", self, snapshot.index());
        }
    }

    private void announce(StateChange change) {
        // The status first: the application, told it is primary (on another thread, at once), asks
        // whether it still is, and must not find the status of before the change.
        status = currentStatus();
        LOG.info("node {} term {}: {} (leader {}) - {}", self, change.term(), change.role(),
                change.leader() == null ? "unknown" : change.leader(), change.reason());
        observer.stateChanged(change);
        for (Consumer<StateChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("node {}: a listener failed on {}: {}", self, change, e.toString());
            }
        }
    }

    private void failEverything() {
        ClusterClosedException closed = new ClusterClosedException(self + " is shut down");
        driver.failEverything(closed);
        List<Task> leftovers = new ArrayList<>();
        inbox.drainTo(leftovers);
        for (Task leftover : leftovers) {
            if (leftover.future() != null) {
                leftover.future().completeExceptionally(closed);
            }
        }
    }

    private NodeStatus currentStatus() {
        return new NodeStatus(self, core.role(), core.term(), core.leader(), core.commitIndex(), driver.appliedIndex(),
                core.lastIndex(), core.configuration(), running, core.leaderReady());
    }

    private void publishStatus() {
        Configuration configuration = core.configuration();
        // The status first: a configuration listener that asks for it sees the new members.
        status = currentStatus();
        if (!configuration.equals(announcedConfiguration)) {
            announcedConfiguration = configuration;
            for (Consumer<Configuration> listener : configurationListeners) {
                try {
                    listener.accept(configuration);
                } catch (RuntimeException e) {
                    LOG.warn("node {}: a configuration listener failed: {}", self, e.toString());
                }
            }
        }
    }
}
