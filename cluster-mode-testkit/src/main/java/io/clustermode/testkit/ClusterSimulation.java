package io.clustermode.testkit;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.ClusterListener;
import io.clustermode.ClusterRole;
import io.clustermode.Committed;
import io.clustermode.Consistency;
import io.clustermode.NodeId;
import io.clustermode.NotPrimaryException;
import io.clustermode.PartitionGroup;
import io.clustermode.PartitionListener;
import io.clustermode.RoleChange;
import io.clustermode.StateMachine;
import io.clustermode.linearizability.LinearizabilityChecker;
import io.clustermode.linearizability.Verdict;
import io.clustermode.internal.ClusterAccess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The engine behind {@link TestCluster}: N real {@link Cluster} instances — the application's own
 * {@code Cluster}, listeners, {@code PrimaryExecutor}, partition groups and health checks — each
 * started through {@code ClusterAccess} on a {@link VirtualRuntime}, over a {@link VirtualNetwork}
 * and an in-memory disk per node, all driven by one {@link VirtualTime}: the same seed and the
 * same calls give the same run, and {@link #trace()} is byte-identical. What it simulates and what
 * it does not is {@link TestCluster}'s to say (its class comment).
 *
 * <p>Not thread-safe: one test thread drives it. A condition not reached in time, a failure
 * inside a step and a failed check throw {@link AssertionError} whose message names the seed and
 * shows every node's status and the last steps.
 *
 * @param <R> the state machine's result type
 * @param <M> the state machine's type
 */
final class ClusterSimulation<R, M extends StateMachine<R>> {

    private static final long MS = 1_000_000L;

    private final long seed;
    private final Supplier<M> factory;
    private final VirtualTime time;
    private final VirtualNetwork network;
    private final List<SimulatedNode<R, M>> nodes = new ArrayList<>();
    private final Map<NodeId, SimulatedNode<R, M>> byId = new TreeMap<>();
    private final Settings<R, M> settings;
    private final Random random;
    private final StringBuilder trace;
    private final List<String> lastSteps = new ArrayList<>();
    private final List<Call<?>> history = new ArrayList<>();
    private final Map<Long, NodeId> primaryOfTerm = new TreeMap<>();
    private final List<String> primaryConflicts = new ArrayList<>();
    private final List<PrimaryRun> runs = new ArrayList<>();
    private final List<PrimaryJob> jobs = new ArrayList<>();
    /** Who holds each partition ("group/p") as the holders' listeners were told. */
    private final Map<String, NodeId> holders = new TreeMap<>();
    private final List<String> holderConflicts = new ArrayList<>();
    private final List<String> assignments = new ArrayList<>();
    /** Whether every node has been a voter under one primary (the cluster formed). */
    private boolean formed;
    /** A failure inside a step (a state machine that threw, a job's body that threw): thrown when the step is over. */
    private RuntimeException pending;

    private record PrimaryJob(String name, long period, long duration, Consumer<PrimaryRun> body) {
    }

    private ClusterSimulation(Settings<R, M> settings) {
        this.settings = settings;
        this.seed = settings.seed();
        this.factory = settings.factory();
        this.time = new VirtualTime(seed);
        this.random = new Random(seed ^ 0x5DEECE66DL);
        this.trace = settings.trace() ? new StringBuilder(1 << 16) : null;
        this.network = new VirtualNetwork(time, this::note);
        for (int i = 1; i <= settings.nodes(); i++) {
            SimulatedNode<R, M> node = new SimulatedNode<>(NodeId.of("n" + i), "n" + i + ":7600");
            nodes.add(node);
            byId.put(node.id(), node);
            network.address(node.id(), node.address());
        }
        for (SimulatedNode<R, M> node : nodes) {
            start(node);
        }
    }

    /**
     * What to run, as {@link TestCluster.Builder} checked it: the node count, the seed, the state
     * machine factory, the timing, whether to keep the trace, the partition groups every node takes
     * part in, and the application's start-up, called as each node process starts (at build and
     * at each restart), once its {@code Cluster} started and before the simulation runs on.
     */
    record Settings<R, M extends StateMachine<R>>(int nodes, long seed, Supplier<M> factory, Duration heartbeat,
                                                   Duration electionTimeout, boolean trace,
                                                   Map<String, Integer> partitions,
                                                   List<Consumer<SimulatedNode<R, M>>> onStart) {
        Settings {
            partitions = Collections.unmodifiableMap(new LinkedHashMap<>(partitions)); // in order: the trace
            onStart = List.copyOf(onStart);
        }
    }

    /**
     * Starts the nodes of {@code settings}; {@link #awaitPrimary()} then lets them form a cluster
     * as real nodes do (they discover each other, the first bootstraps, the primary adds the
     * others and promotes them).
     */
    static <R, M extends StateMachine<R>> ClusterSimulation<R, M> start(Settings<R, M> settings) {
        return new ClusterSimulation<>(settings);
    }

    // ------------------------------------------------------------------ nodes

    private void start(SimulatedNode<R, M> node) {
        VirtualRuntime runtime = new VirtualRuntime(time, time.random().nextLong(), timer -> {
            if (timer && trace != null) {
                note("tick " + node.id());
            }
            traceStatus(node);
        });
        List<String> seeds = new ArrayList<>();
        nodes.forEach(n -> seeds.add(n.address()));
        ClusterConfig config = ClusterConfig.builder()
                .clusterName("testkit")
                .nodeId(node.id())
                .bind("127.0.0.1:7600")
                .advertise(node.address())
                .seeds(seeds)
                .minNodes(nodes.size())
                .maxNodes(Math.max(nodes.size(), 20))
                .voters(nodes.size())
                .heartbeatInterval(settings.heartbeat())
                .electionTimeout(settings.electionTimeout())
                .transportFactory(network.factory(runtime))
                .build();
        M machine = factory.get();
        if (machine == null) {
            throw new IllegalStateException("the state machine factory returned null");
        }
        node.runtime = runtime;
        node.machine = machine;
        node.scheduler = runtime.newScheduler(node.id() + "-application");
        try {
            node.cluster = ClusterAccess.start(config, machine, runtime, node.disk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        note("START " + node.id());
        node.cluster.addListener(new ClusterListener() {
            @Override
            public void onRoleChange(RoleChange change) {
                roleChanged(node, change);
            }

            @Override
            public void onFailure(Throwable cause) {
                if (pending == null) {
                    pending = new IllegalStateException("node " + node.id() + " stopped: " + cause, cause);
                }
            }
        });
        settings.partitions().forEach((group, count) -> node.cluster.partitions(group, count));
        for (Consumer<SimulatedNode<R, M>> setup : settings.onStart()) {
            setup.accept(node);
        }
        for (PartitionGroup group : node.cluster.partitionGroups().values()) {
            watch(node, group);
        }
        for (PrimaryJob job : jobs) {
            startJob(node, job);
        }
    }

    /** The seed this simulation runs from. */
    public long seed() {
        return seed;
    }

    /** A random source for the test's own choices, seeded from the seed (a stream of its own). */
    public Random random() {
        return random;
    }

    /** The nodes, {@code n1} first. */
    public List<SimulatedNode<R, M>> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** The node with that id ({@code "n1"}, ...). */
    public SimulatedNode<R, M> node(String id) {
        SimulatedNode<R, M> node = byId.get(NodeId.of(id));
        if (node == null) {
            throw new IllegalArgumentException("no node " + id + " (there are " + byId.keySet() + ")");
        }
        return node;
    }

    /** The node whose {@code Cluster} reports PRIMARY in the highest term, if any. */
    public Optional<SimulatedNode<R, M>> primary() {
        SimulatedNode<R, M> best = null;
        long bestTerm = -1;
        for (SimulatedNode<R, M> node : nodes) {
            if (node.isUp() && node.cluster.role() == ClusterRole.PRIMARY) {
                long term = node.cluster.status().term();
                if (term > bestTerm) {
                    best = node;
                    bestTerm = term;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** Virtual time since the simulation began. */
    public Duration now() {
        return Duration.ofNanos(time.now());
    }

    /** How many tasks and event-loop turns ran so far. */
    public long steps() {
        return time.steps();
    }

    // ------------------------------------------------------------------ faults

    /** Cuts the link between {@code a} and {@code b}, both ways. */
    public void partition(SimulatedNode<R, M> a, SimulatedNode<R, M> b) {
        own(a);
        own(b);
        if (a == b) {
            throw new IllegalArgumentException("a partition is between two nodes, given " + a.id() + " twice");
        }
        network.cut(a.id(), b.id());
        network.cut(b.id(), a.id());
        note("PARTITION " + a.id() + " " + b.id());
    }

    /** Splits the cluster in two: {@code side} and the rest cannot reach each other. */
    public void partition(Collection<SimulatedNode<R, M>> side) {
        side.forEach(this::own);
        for (SimulatedNode<R, M> in : side) {
            for (SimulatedNode<R, M> out : nodes) {
                if (!side.contains(out)) {
                    network.cut(in.id(), out.id());
                    network.cut(out.id(), in.id());
                }
            }
        }
        note("PARTITION " + side.stream().map(n -> n.id().value()).toList());
    }

    /** Cuts {@code node} off from every other node, both ways. */
    public void isolate(SimulatedNode<R, M> node) {
        own(node);
        for (SimulatedNode<R, M> other : nodes) {
            if (other != node) {
                network.cut(node.id(), other.id());
                network.cut(other.id(), node.id());
            }
        }
        note("ISOLATE " + node.id());
    }

    /** Restores every link (crashed nodes stay down, paused ones stay paused). */
    public void heal() {
        network.heal();
        note("HEAL");
    }

    /** The chance (0 to 1) that the network loses each message, from now on (default 0). */
    public void dropRate(double rate) {
        network.dropRate(rate);
        note("DROP RATE " + rate);
    }

    /**
     * Kills {@code node}'s process (kill -9): nothing it planned runs any more — its event loop,
     * its listeners' notifications, its primary-only and partition work, its timers — and messages
     * on their way to it are lost. Its disk keeps what it persisted.
     */
    public void crash(SimulatedNode<R, M> node) {
        own(node);
        if (!node.isUp()) {
            return;
        }
        node.runtime.kill();
        network.detach(node.id());
        // Requests still waiting for the stopped process never reached it: nothing was done.
        for (SimulatedNode.Deferred waiting : node.deferred) {
            waiting.call().complete(ms(), null, new Call.NodeDownException(node.id()));
        }
        node.deferred.clear();
        holders.values().removeIf(node.id()::equals);
        note("CRASH " + node.id());
        for (PrimaryRun run : runs) {
            if (run.node().equals(node.id()) && run.endedAt().isEmpty()) {
                run.end(ms(), true);
            }
        }
    }

    /** Starts a crashed node again: a new {@code Cluster} on its disk, with a new state machine restored from it. */
    public void restart(SimulatedNode<R, M> node) {
        own(node);
        if (node.isUp()) {
            return;
        }
        start(node);
    }

    /**
     * Stops {@code node}'s process for {@code duration} of virtual time (SIGSTOP, a long garbage
     * collection): nothing of it runs, messages to it wait; it is not told.
     */
    public void pause(SimulatedNode<R, M> node, Duration duration) {
        own(node);
        if (duration.toMillis() < 1) {
            throw new IllegalArgumentException("a pause lasts at least one time unit (1 ms), was " + duration);
        }
        if (node.isUp()) {
            node.runtime.pauseUntil(time.now() + duration.toNanos());
            note("PAUSE " + node.id() + " " + duration.toMillis() + " ms");
            VirtualRuntime process = node.runtime;
            time.post(null, duration.toNanos(), () -> resumed(node, process));
        }
    }

    /** A pause may have ended: the requests clients made meanwhile go in now. */
    private void resumed(SimulatedNode<R, M> node, VirtualRuntime process) {
        if (node.runtime != process || !process.alive()) {
            return;
        }
        if (process.pausedUntil() > time.now()) {
            time.post(null, process.pausedUntil() - time.now(), () -> resumed(node, process));
            return;
        }
        while (!node.deferred.isEmpty()) {
            node.deferred.poll().request().run();
        }
    }

    // ------------------------------------------------------------------ time

    /** Runs {@code duration} of virtual time. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time runs forward, was " + duration);
        }
        time.runUntil(time.now() + duration.toNanos(), () -> pending != null);
        throwPending();
    }

    private void throwPending() {
        if (pending != null) {
            RuntimeException thrown = pending;
            pending = null;
            throw failure(thrown.getMessage() == null ? thrown.toString() : thrown.getMessage(), thrown);
        }
    }

    /**
     * Runs until {@code condition} holds (checked between steps), at most 60 s of virtual time.
     *
     * @throws AssertionError when it does not hold by then
     */
    public void runUntil(BooleanSupplier condition) {
        runUntil(condition, Duration.ofSeconds(60));
    }

    /**
     * Runs until {@code condition} holds, at most {@code limit} of virtual time.
     *
     * @throws AssertionError when it does not hold by then
     */
    public void runUntil(BooleanSupplier condition, Duration limit) {
        boolean held = time.runUntil(time.now() + limit.toNanos(), () -> pending != null || condition.getAsBoolean());
        throwPending();
        if (!held) {
            throw failure("the condition did not hold within " + limit.toMillis() + " ms of virtual time");
        }
    }

    /**
     * Runs until a node's {@code Cluster} reports PRIMARY and a majority of the nodes report it
     * as their primary (at most 30 election timeouts of virtual time), and returns it.
     *
     * @throws AssertionError when none appears in that time
     */
    public SimulatedNode<R, M> awaitPrimary() {
        // The first time, as real nodes do: they find each other, the first bootstraps, the
        // primary adds the others as learners and promotes them; a test's faults begin once all vote.
        runUntil(() -> servingPrimary() != null && (formed || formedNow()), settings.electionTimeout().multipliedBy(30));
        return servingPrimary();
    }

    private boolean formedNow() {
        for (SimulatedNode<R, M> node : nodes) {
            if (!node.isUp() || !node.cluster.status().voter() || node.cluster.status().appliedIndex() == 0) {
                return false;
            }
        }
        formed = true;
        note("FORMED");
        return true;
    }

    private SimulatedNode<R, M> servingPrimary() {
        Optional<SimulatedNode<R, M>> primary = primary();
        if (primary.isEmpty() || primary.get().isPaused()) {
            return null;
        }
        NodeId id = primary.get().id();
        int following = 0;
        for (SimulatedNode<R, M> node : nodes) {
            if (node.isUp() && !node.isPaused() && node.cluster.status().primary().filter(id::equals).isPresent()
                    && network.canReach(id, node.id()) && network.canReach(node.id(), id)) {
                following++;
            }
        }
        return following > nodes.size() / 2 ? primary.get() : null;
    }

    // ------------------------------------------------------------------ clients

    /**
     * A client sends {@code command} to {@code node}'s {@code Cluster.submit}; the call completes
     * when its future does. To a down node it fails at once.
     */
    public Call<Committed<R>> submit(SimulatedNode<R, M> node, byte[] command) {
        own(node);
        byte[] copy = command.clone();
        Call<Committed<R>> call = new Call<>(history.size(), Call.Kind.COMMAND, node.id(), copy, null, null, ms());
        history.add(call);
        note("SUBMIT #" + call.id() + " to " + node.id() + " " + TestCluster.printable(copy));
        send(node, call, () -> node.cluster.submit(copy).whenComplete((done, error) -> {
            call.complete(ms(), done, error);
            note("ANSWER #" + call.id() + " " + call.outcome());
        }));
        return call;
    }

    /**
     * A client's linearizable read of one key at {@code node} ({@code Cluster.read(query, LINEARIZABLE)});
     * such reads take part in {@link #assertLinearizable(RegisterModel)}.
     */
    public <T> Call<T> read(SimulatedNode<R, M> node, String key, Function<? super M, T> query) {
        own(node);
        Call<T> call = new Call<>(history.size(), Call.Kind.READ, node.id(), null, query, key, ms());
        history.add(call);
        note("QUERY #" + call.id() + " at " + node.id() + (key == null ? "" : " key " + key));
        send(node, call, () -> node.cluster.read(query, Consistency.LINEARIZABLE).whenComplete((value, error) -> {
            call.complete(ms(), value, error);
            note("ANSWER #" + call.id() + " " + call.outcome());
        }));
        return call;
    }

    /** To a down node a call fails at once; to a paused one it goes in when the node resumes. */
    private void send(SimulatedNode<R, M> node, Call<?> call, Runnable request) {
        if (!node.isUp()) {
            call.complete(ms(), null, new Call.NodeDownException(node.id()));
        } else if (node.isPaused()) {
            node.deferred.add(new SimulatedNode.Deferred(call, request));
        } else {
            request.run();
        }
    }

    /** Every call made, in the order made. */
    public List<Call<?>> history() {
        return Collections.unmodifiableList(history);
    }

    // ------------------------------------------------------------------ primary-only work

    /**
     * Schedules primary-only work through each node's real {@code PrimaryExecutor}: every
     * {@code period}, a node whose executor accepts work (it is primary) starts a run; the run
     * is {@code duration} of work done in 1 ms steps, each submitted to the
     * {@code PrimaryExecutor}; it ends interrupted at the first step the executor refuses
     * ({@link NotPrimaryException}) or runs under another fencing token — the node lost primacy.
     * {@code body} is called at each run's start.
     */
    public void schedulePrimaryOnly(String name, Duration period, Duration duration, Consumer<PrimaryRun> body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        if (period.toMillis() < 1 || duration.toMillis() < 1) {
            throw new IllegalArgumentException("period and duration are at least 1 ms, were " + period + ", " + duration);
        }
        PrimaryJob job = new PrimaryJob(name, period.toMillis(), duration.toMillis(), body);
        jobs.add(job);
        for (SimulatedNode<R, M> node : nodes) {
            if (node.isUp()) {
                startJob(node, job);
            }
        }
    }

    private void startJob(SimulatedNode<R, M> node, PrimaryJob job) {
        PrimaryRun[] current = new PrimaryRun[1];
        node.scheduler.scheduleWithFixedDelay(() -> {
            if (current[0] != null && current[0].endedAt().isEmpty()) {
                return;
            }
            try {
                node.cluster.primaryExecutor().submit(() -> {
                    OptionalLong token = node.cluster.primaryExecutor().fencingToken();
                    PrimaryRun run = new PrimaryRun(job.name(), node.id(), token.orElse(-1), ms(), job.duration());
                    runs.add(run);
                    current[0] = run;
                    note("PRIMARY-ONLY start " + run);
                    try {
                        job.body().accept(run);
                    } catch (RuntimeException | AssertionError e) {
                        pending = new IllegalStateException("primary-only job '" + job.name() + "' threw on "
                                + node.id() + " at " + ms() + " ms (seed " + seed + "): " + e, e);
                        return;
                    }
                    step(node, run);
                });
            } catch (NotPrimaryException notNow) {
                // not primary: nothing to do this period
            }
        }, 0, job.period(), TimeUnit.MILLISECONDS);
    }

    /** The run's next millisecond of work, through the PrimaryExecutor. */
    private void step(SimulatedNode<R, M> node, PrimaryRun run) {
        node.scheduler.schedule(() -> {
            if (run.endedAt().isPresent()) {
                return;
            }
            try {
                node.cluster.primaryExecutor().submit(() -> {
                    if (node.cluster.primaryExecutor().fencingToken().orElse(-1) != run.fencingToken()) {
                        endRun(run, true, "another term");
                    } else if (run.work()) {
                        endRun(run, false, "done");
                    } else {
                        step(node, run);
                    }
                });
            } catch (NotPrimaryException lost) {
                endRun(run, true, "not primary");
            }
        }, 1, TimeUnit.MILLISECONDS);
    }

    private void endRun(PrimaryRun run, boolean interrupted, String why) {
        run.end(ms(), interrupted);
        note("PRIMARY-ONLY " + run + " (" + why + ")");
    }

    /**
     * Records that the application's own primary-only work began on {@code node} now (for work
     * not made by {@link #schedulePrimaryOnly}): {@link #assertPrimaryOnlyWorkNeverOverlapped()}
     * checks it with the rest. The token is the node's fencing token now (-1 when it has none).
     */
    public PrimaryRun beginPrimaryWork(SimulatedNode<R, M> node, String job) {
        own(node);
        long token = node.isUp() ? node.cluster.fencingToken().orElse(-1) : -1;
        PrimaryRun run = new PrimaryRun(job, node.id(), token, ms(), Long.MAX_VALUE);
        runs.add(run);
        note("PRIMARY-ONLY start " + run);
        return run;
    }

    /** Records that {@code run} ended now; {@code interrupted}: it stopped because primacy was lost. */
    public void endPrimaryWork(PrimaryRun run, boolean interrupted) {
        if (run.endedAt().isEmpty()) {
            endRun(run, interrupted, interrupted ? "interrupted" : "done");
        }
    }

    /** Every run of primary-only work so far, in the order they started. */
    public List<PrimaryRun> primaryRuns() {
        return Collections.unmodifiableList(runs);
    }

    // ------------------------------------------------------------------ what the listeners hear

    private void roleChanged(SimulatedNode<R, M> node, RoleChange change) {
        if (node.cluster == null || !node.isUp()) {
            return;
        }
        node.roles.add(change);
        note("ROLE " + node.id() + " " + change.role() + " term " + change.term()
                + change.primary().map(p -> " primary " + p).orElse(""));
        if (change.role() == ClusterRole.PRIMARY) {
            NodeId other = primaryOfTerm.putIfAbsent(change.term(), node.id());
            if (other != null && !other.equals(node.id())) {
                primaryConflicts.add("both " + other + " and " + node.id() + " were told PRIMARY in term " + change.term());
            }
        }
    }

    private void watch(SimulatedNode<R, M> node, PartitionGroup group) {
        VirtualRuntime process = node.runtime;
        group.addListener(new PartitionListener() {
            @Override
            public void onAssigned(int partition, long epoch) {
                if (!process.alive()) {
                    return;
                }
                String key = group.name() + "/" + partition;
                NodeId other = holders.put(key, node.id());
                assignments.add(key + " -> " + node.id() + " at " + ms());
                note("ASSIGNED " + key + " to " + node.id() + " epoch " + epoch);
                if (other != null && !other.equals(node.id())) {
                    holderConflicts.add(key + " assigned to " + node.id() + " (epoch " + epoch + ") at " + ms()
                            + " ms while " + other + " held it");
                }
            }

            @Override
            public void onRevoked(int partition, long epoch) {
                if (!process.alive()) {
                    return;
                }
                String key = group.name() + "/" + partition;
                holders.remove(key, node.id());
                note("REVOKED " + key + " from " + node.id() + " epoch " + epoch);
            }
        });
    }

    /** Partition grants the listeners were told so far ("group/p -> node at ms"), in order. */
    public List<String> partitionAssignments() {
        return Collections.unmodifiableList(assignments);
    }

    /** Who holds each partition now ("group/p"), as the holders' {@code PartitionListener}s were told. */
    public Map<String, NodeId> partitionHolders() {
        return Collections.unmodifiableMap(holders);
    }

    // ------------------------------------------------------------------ checks

    /**
     * Checks the history with the project's register checker, each key a register: commands as
     * {@code model} describes them, reads made with {@link #read}.
     *
     * @throws AssertionError when it is not linearizable, or the search gave up (undecided)
     */
    public void assertLinearizable(RegisterModel<R> model) {
        LinearizabilityChecker.LinearizabilityResult result = new LinearizabilityChecker()
                .check(TestCluster.registerHistory(history, model, ms() + 1));
        if (result.verdict() != Verdict.LINEARIZABLE) {
            throw failure(result.describe());
        }
    }

    /**
     * Heals every fault — links restored, losses stopped, crashed nodes restarted, pauses waited
     * out — lets the cluster settle (a primary, every node applied everything committed), then
     * compares every node's {@link StateMachine#snapshot()} byte for byte: a machine that reads
     * the clock, draws random numbers or depends on hash order diverges here.
     *
     * @throws AssertionError naming the nodes whose states differ
     */
    public void assertStateMachinesEqualAfterHeal() {
        heal();
        dropRate(0);
        nodes.forEach(this::restart);
        runUntil(() -> nodes.stream().noneMatch(SimulatedNode::isPaused));
        SimulatedNode<R, M> primary = awaitPrimary();
        runUntil(() -> {
            io.clustermode.ClusterStatus status = primary.cluster.status();
            return status.role() == ClusterRole.PRIMARY && status.commitIndex() == status.lastIndex()
                    && nodes.stream().allMatch(n -> n.cluster.status().appliedIndex() == status.commitIndex());
        });
        Map<String, List<NodeId>> groups = new LinkedHashMap<>();
        for (SimulatedNode<R, M> node : nodes) {
            groups.computeIfAbsent(java.util.Arrays.toString(node.machine.snapshot()), k -> new ArrayList<>())
                    .add(node.id());
        }
        if (groups.size() > 1) {
            StringBuilder out = new StringBuilder("state machines differ after heal (is apply deterministic? no clock,"
                    + " no randomness, no hash order):");
            groups.forEach((state, ids) -> out.append("\n  ").append(ids).append(": ")
                    .append(state.length() <= 200 ? state : state.substring(0, 200) + "..."));
            throw failure(out.toString());
        }
    }

    /** Checks that no two nodes' {@code ClusterListener}s were told PRIMARY in one term. */
    public void assertAtMostOnePrimaryPerTerm() {
        if (!primaryConflicts.isEmpty()) {
            throw failure("more than one primary in a term: " + primaryConflicts);
        }
    }

    /**
     * Checks that no partition was ever assigned to a node's {@code PartitionListener} while
     * another node's listener held it (had been told {@code onAssigned} and not yet
     * {@code onRevoked}; a crashed node holds nothing).
     */
    public void assertOneHolderPerPartition() {
        if (!holderConflicts.isEmpty()) {
            throw failure("a partition had two holders: " + holderConflicts);
        }
    }

    /**
     * Checks that no two nodes' primary-only runs overlapped in virtual time (runs of
     * {@link #schedulePrimaryOnly} and those recorded with {@link #beginPrimaryWork}).
     *
     * @throws AssertionError naming the first two runs that overlapped
     */
    public void assertPrimaryOnlyWorkNeverOverlapped() {
        long now = ms();
        for (int i = 0; i < runs.size(); i++) {
            PrimaryRun a = runs.get(i);
            for (int j = i + 1; j < runs.size(); j++) {
                PrimaryRun b = runs.get(j);
                if (!a.node().equals(b.node()) && a.startedAt() < b.endOr(now) && b.startedAt() < a.endOr(now)) {
                    throw failure("primary-only work overlapped: " + a + " and " + b);
                }
            }
        }
    }

    // ------------------------------------------------------------------ trace

    /**
     * Every step of the run so far, one line each — virtual time, a message delivered, a node's
     * status after its event loop's turn changed it, what its listeners were told, faults — the
     * same text, byte for byte, for the same seed and calls.
     *
     * @throws IllegalStateException when the builder turned the trace off
     */
    public String trace() {
        if (trace == null) {
            throw new IllegalStateException("the trace is off: builder().recordTrace(true) keeps it");
        }
        return trace.toString();
    }

    private void traceStatus(SimulatedNode<R, M> node) {
        if (node.cluster == null) {
            return; // still starting
        }
        String status = node.toString();
        if (!status.equals(node.lastStatus)) {
            node.lastStatus = status;
            note(status);
        }
    }

    private void note(String event) {
        String line = String.format(java.util.Locale.ROOT, "t=%-7.3f %s", time.now() / 1e6, event);
        if (trace != null) {
            trace.append(line).append('\n');
        }
        lastSteps.add(line);
        if (lastSteps.size() > 64) {
            lastSteps.subList(0, 32).clear();
        }
    }

    private long ms() {
        return time.now() / MS;
    }

    AssertionError failure(String what) {
        return failure(what, null);
    }

    AssertionError failure(String what, Throwable cause) {
        StringBuilder out = new StringBuilder(what).append("\n  seed ").append(seed).append(", at ")
                .append(ms()).append(" ms of virtual time; nodes:");
        for (SimulatedNode<R, M> node : nodes) {
            out.append("\n    ").append(node);
        }
        if (!lastSteps.isEmpty()) {
            out.append("\n  last steps:");
            lastSteps.subList(Math.max(0, lastSteps.size() - 15), lastSteps.size())
                    .forEach(s -> out.append("\n    ").append(s));
        }
        return new AssertionError(out.toString(), cause);
    }

    private SimulatedNode<R, M> own(SimulatedNode<R, M> node) {
        if (node == null || byId.get(node.id()) != node) {
            throw new IllegalArgumentException("not a node of this simulation: " + node);
        }
        return node;
    }
}
