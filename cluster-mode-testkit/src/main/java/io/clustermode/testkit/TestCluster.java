package io.clustermode.testkit;

import io.clustermode.Committed;
import io.clustermode.NodeId;
import io.clustermode.StateMachine;
import io.clustermode.linearizability.History;
import io.clustermode.linearizability.LinearizabilityChecker;
import io.clustermode.linearizability.OpKind;
import io.clustermode.linearizability.Operation;
import io.clustermode.linearizability.Outcome;
import io.clustermode.linearizability.Verdict;
import io.clustermode.raft.RaftConfig;
import io.clustermode.raft.Role;
import io.clustermode.raft.StateChange;
import io.clustermode.simulation.SimCluster;
import io.clustermode.simulation.SimNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A cluster of simulated nodes running the application's {@link StateMachine}, on virtual
 * time, decided entirely by one seed: the same seed and the same calls give the same run,
 * step for step ({@link #trace()} is byte-identical), so a failure found once is found again.
 *
 * <pre>{@code
 * TestCluster<Long, Counter> cluster = TestCluster.builder().nodes(5).seed(42)
 *         .stateMachine(Counter::new).build();
 * TestNode<Counter> primary = cluster.awaitPrimary();
 * cluster.submit(primary, "add 1".getBytes(UTF_8));
 * cluster.isolate(primary);
 * cluster.advance(Duration.ofSeconds(3));
 * cluster.heal();
 * cluster.assertLinearizable();
 * cluster.assertStateMachinesEqualAfterHeal();
 * }</pre>
 *
 * <h2>What runs, and what differs from {@code io.clustermode.Cluster}</h2>
 * Each node is the project's Raft core carried out by the runtime's own {@code ReadyDriver} —
 * the class a real node's event loop uses to persist, send, apply and answer, in the same order
 * — over a simulated disk (what was not persisted is lost in a {@link #crash}) and a simulated
 * network (delays of 1–8 ms, reordering, losses with {@link #dropRate}, partitions). It is the
 * project's own deterministic simulation ({@code cluster-mode-simulation}), whose invariants
 * (one leader per term, log matching, leader completeness, one entry per index everywhere,
 * linearizable reads, persist-before-send) are checked after every step here too. The nodes
 * are not {@code Cluster} instances: those run on threads and the wall clock, which no seed can
 * replay. What the application sees is the same: its {@code StateMachine} (applied, snapshotted
 * and restored by the same driver), its role (PRIMARY from the driver's announcement of
 * leadership until it announces otherwise), its fencing token (the term). Not simulated:
 * discovery and membership changes (the cluster is the {@code nodes(n)} voters from the start),
 * transport security, listeners' threads, log compaction.
 *
 * <p>Time: one virtual millisecond per simulation unit; a node ticks every 10 ms, as a real node
 * does at the default settings; the heartbeat and election timeout are the real defaults (100 ms,
 * 1000 ms) unless the builder says otherwise.
 *
 * <h2>Threading and failure</h2>
 * Not thread-safe: one test thread drives it. A broken invariant, a state machine that throws,
 * a condition not reached in time and a failed check throw {@link AssertionError} whose message
 * names the seed and shows the last steps.
 *
 * @param <R> the state machine's result type
 * @param <M> the state machine's type
 */
public final class TestCluster<R, M extends StateMachine<R>> {

    /** Budget of the general linearizability search ({@link #assertLinearizable()}), in search steps. */
    static final long MODEL_SEARCH_BUDGET = 2_000_000;

    private final long seed;
    final SimCluster sim;
    private final Supplier<M> factory;
    private final List<TestNode<M>> nodes = new ArrayList<>();
    private final Map<NodeId, TestNode<M>> byId = new TreeMap<>();
    private final Random random;
    private final StringBuilder trace;
    private final List<Call<?>> history = new ArrayList<>();
    private final Map<Long, NodeId> primaryOfTerm = new TreeMap<>();
    private final List<String> primaryConflicts = new ArrayList<>();
    private final List<PrimaryJob> jobs = new ArrayList<>();
    private final List<PrimaryRun> runs = new ArrayList<>();
    private final Duration electionTimeout;
    /** A failure found inside a step (a job's body that threw): thrown when the step is over. */
    private RuntimeException pending;

    /** A scheduled primary-only job, and per node its run in progress and when the next is due. */
    private final class PrimaryJob {
        final String name;
        final long period;
        final long duration;
        final Consumer<PrimaryRun> body;
        final Map<NodeId, PrimaryRun> running = new TreeMap<>();
        final Map<NodeId, Long> nextAt = new TreeMap<>();

        PrimaryJob(String name, long period, long duration, Consumer<PrimaryRun> body) {
            this.name = name;
            this.period = period;
            this.duration = duration;
            this.body = body;
        }
    }

    private TestCluster(Builder<R, M> builder) {
        this.seed = builder.seed;
        this.factory = builder.factory;
        this.electionTimeout = builder.electionTimeout;
        int heartbeatTicks = (int) Math.max(1, builder.heartbeat.toMillis() / SimCluster.TICK);
        int electionTicks = (int) Math.max(3L * heartbeatTicks, builder.electionTimeout.toMillis() / SimCluster.TICK);
        RaftConfig config = RaftConfig.defaults().withElectionTicks(electionTicks).withHeartbeatTicks(heartbeatTicks);
        this.sim = new SimCluster(seed, config, id -> {
            M machine = factory.get();
            if (machine == null) {
                throw new IllegalStateException("the state machine factory returned null");
            }
            return machine;
        });
        // The test's own choices draw from a stream of their own: they do not shift the cluster's.
        this.random = new Random(seed ^ 0x5DEECE66DL);
        this.trace = builder.trace ? new StringBuilder(1 << 16) : null;
        if (trace != null) {
            sim.onEveryStep(line -> trace.append(line).append('\n'));
        }
        sim.onStateChange(this::stateChanged);
        List<NodeId> ids = new ArrayList<>();
        for (int i = 1; i <= builder.nodes; i++) {
            ids.add(NodeId.of("n" + i));
        }
        guarded(() -> sim.bootstrap(ids));
        for (SimNode node : sim.nodes()) {
            TestNode<M> handle = new TestNode<>(node, this);
            nodes.add(handle);
            byId.put(node.id(), handle);
        }
    }

    /** A builder: {@code nodes(3)}, {@code seed(1)} and no state machine unless told. */
    public static Builder<Object, StateMachine<Object>> builder() {
        return new Builder<>();
    }

    /**
     * Builds a {@link TestCluster}. Every setting has a default but the state machine.
     *
     * @param <R> the state machine's result type
     * @param <M> the state machine's type
     */
    public static final class Builder<R, M extends StateMachine<R>> {
        private int nodes = 3;
        private long seed = 1;
        private Supplier<M> factory;
        private Duration heartbeat = Duration.ofMillis(100);
        private Duration electionTimeout = Duration.ofMillis(1000);
        private boolean trace = true;

        private Builder() {
        }

        private <R2, M2 extends StateMachine<R2>> Builder<R2, M2> copy(Supplier<M2> newFactory) {
            Builder<R2, M2> next = new Builder<>();
            next.nodes = nodes;
            next.seed = seed;
            next.factory = newFactory;
            next.heartbeat = heartbeat;
            next.electionTimeout = electionTimeout;
            next.trace = trace;
            return next;
        }

        /** How many nodes, all voters, 1 to 9 (default 3). */
        public Builder<R, M> nodes(int count) {
            if (count < 1 || count > 9) {
                throw new IllegalArgumentException("a test cluster has 1 to 9 nodes, was " + count);
            }
            this.nodes = count;
            return this;
        }

        /** The seed everything draws from: network delays and losses, election timeouts (default 1). */
        public Builder<R, M> seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Makes the state machine of a node; called whenever a node's process starts (at build
         * and at each {@link TestCluster#restart}), and for the models of the checks. Must return a
         * new, empty machine each time.
         */
        public <R2, M2 extends StateMachine<R2>> Builder<R2, M2> stateMachine(Supplier<M2> newFactory) {
            return copy(Objects.requireNonNull(newFactory, "the state machine factory"));
        }

        /** The primary's heartbeat interval in virtual time, at least 10 ms (default 100 ms, as a real node's). */
        public Builder<R, M> heartbeatInterval(Duration interval) {
            if (interval.toMillis() < SimCluster.TICK) {
                throw new IllegalArgumentException("the heartbeat is at least one tick, 10 ms, was " + interval);
            }
            this.heartbeat = interval;
            return this;
        }

        /**
         * The base election timeout in virtual time, randomized up to twice that (default 1000 ms,
         * as a real node's); at least three heartbeats.
         */
        public Builder<R, M> electionTimeout(Duration timeout) {
            if (timeout.toMillis() < 3L * SimCluster.TICK) {
                throw new IllegalArgumentException("the election timeout is at least 30 ms, was " + timeout);
            }
            this.electionTimeout = timeout;
            return this;
        }

        /**
         * Whether to keep the text of every step for {@link TestCluster#trace()} (default true).
         * Off, runs are faster; a failure still shows the last steps.
         */
        public Builder<R, M> recordTrace(boolean keep) {
            this.trace = keep;
            return this;
        }

        /**
         * The cluster, bootstrapped: every node a voter of one configuration, none primary yet.
         *
         * @throws IllegalStateException when no state machine was given
         */
        public TestCluster<R, M> build() {
            if (factory == null) {
                throw new IllegalStateException("a test cluster needs a state machine: builder().stateMachine(MyMachine::new)");
            }
            return new TestCluster<>(this);
        }
    }

    // ------------------------------------------------------------------ nodes

    /** The seed this cluster runs from. */
    public long seed() {
        return seed;
    }

    /**
     * A random source for the test's own choices (which node to crash, what to write), seeded
     * from the cluster's seed: with it, a whole randomized test replays from the seed.
     */
    public Random random() {
        return random;
    }

    /** The nodes, {@code n1} first. */
    public List<TestNode<M>> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** The node with that id ({@code "n1"}, ...). */
    public TestNode<M> node(String id) {
        TestNode<M> node = byId.get(NodeId.of(id));
        if (node == null) {
            throw new IllegalArgumentException("no node " + id + " (there are " + byId.keySet() + ")");
        }
        return node;
    }

    /** The primary of the highest term now, if any node is primary. */
    public Optional<TestNode<M>> primary() {
        TestNode<M> best = null;
        for (TestNode<M> node : nodes) {
            if (node.isPrimary() && (best == null || node.term() > best.term())) {
                best = node;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The virtual time since the cluster was built. */
    public Duration now() {
        return Duration.ofMillis(sim.now());
    }

    // ------------------------------------------------------------------ faults

    /** Cuts the link between {@code a} and {@code b}, both ways; each still reaches the others. */
    public void partition(TestNode<M> a, TestNode<M> b) {
        own(a);
        own(b);
        if (a == b) {
            throw new IllegalArgumentException("a partition is between two nodes, given " + a.id() + " twice");
        }
        sim.blockOneWay(a.id(), b.id());
        sim.blockOneWay(b.id(), a.id());
    }

    /** Splits the cluster in two: {@code side} and the rest cannot reach each other. */
    public void partition(Collection<TestNode<M>> side) {
        side.forEach(this::own);
        List<NodeId> ids = new ArrayList<>();
        side.forEach(node -> ids.add(node.id()));
        sim.partition(ids);
    }

    /** Cuts {@code node} off from every other node, both ways. */
    public void isolate(TestNode<M> node) {
        sim.isolate(own(node).id());
    }

    /** Restores every link (crashed nodes stay down, paused ones stay paused). */
    public void heal() {
        sim.heal();
    }

    /** The chance (0 to 1) that the network loses each message, from now on (default 0). */
    public void dropRate(double rate) {
        sim.dropRate(rate);
        note("DROP RATE " + rate);
    }

    /**
     * Kills {@code node}'s process: everything it had not persisted is lost (its simulated disk
     * keeps what its driver wrote before acknowledging anything), calls waiting on it get no
     * answer (their outcome stays unknown), and its primacy — and the primary-only work under
     * it — ends at once.
     */
    public void crash(TestNode<M> node) {
        own(node);
        if (!node.isUp()) {
            return;
        }
        guarded(() -> sim.crash(node.sim));
        // Requests still waiting for the stopped process never reached it: nothing was done.
        for (TestNode.Deferred waiting : node.deferred) {
            waiting.call().complete(sim.now(), null, new Call.NodeDownException(node.id()));
        }
        node.deferred.clear();
        lostPrimacy(node, "crashed");
    }

    /** Starts a crashed node again from its disk, with a new state machine restored from it. */
    public void restart(TestNode<M> node) {
        own(node);
        guarded(() -> sim.restart(node.sim));
    }

    /**
     * Stops {@code node}'s process for {@code duration} of virtual time (SIGSTOP, a long garbage
     * collection): it neither ticks nor reads messages, which wait for it; it is not told. A
     * paused primary still believes it is primary, and its primary-only work stands still
     * rather than ends: it finds out only after it resumes.
     */
    public void pause(TestNode<M> node, Duration duration) {
        own(node);
        sim.pause(node.sim, duration.toMillis());
    }

    // ------------------------------------------------------------------ time

    /** Runs {@code duration} of virtual time. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time runs forward, was " + duration);
        }
        long units = duration.toMillis();
        for (long i = 0; i < units; i++) {
            runOneUnit();
        }
    }

    /**
     * Runs until a primary can serve: a node primary in its term, not paused, that has committed
     * an entry of its term, and that a majority of the nodes (itself included) are up to follow
     * in that term over links that work both ways — so a primary cut off from the others, which
     * still believes it is one until its election timeout, does not count. At most 30 election
     * timeouts of virtual time.
     *
     * @throws AssertionError when none appears in that time
     */
    public TestNode<M> awaitPrimary() {
        runUntil(() -> servingPrimary() != null, electionTimeout.multipliedBy(30));
        return servingPrimary();
    }

    private TestNode<M> servingPrimary() {
        for (TestNode<M> primary : nodes) {
            if (!primary.isPrimary() || primary.isPaused()) {
                continue;
            }
            long commit = primary.sim.core().commitIndex();
            if (commit == 0 || primary.sim.core().termAt(commit) != primary.term()) {
                continue;
            }
            int following = 0;
            for (TestNode<M> node : nodes) {
                if (node == primary || (node.isUp() && !node.isPaused() && node.term() == primary.term()
                        && primary.id().equals(node.sim.core().leader()) && sim.canReach(primary.id(), node.id())
                        && sim.canReach(node.id(), primary.id()))) {
                    following++;
                }
            }
            if (following > nodes.size() / 2) {
                return primary;
            }
        }
        return null;
    }

    /**
     * Runs until {@code condition} holds (checked before each millisecond of virtual time), at
     * most 60 seconds of virtual time.
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
        long end = sim.now() + limit.toMillis();
        while (!condition.getAsBoolean()) {
            if (sim.now() >= end) {
                throw failure("the condition did not hold within " + limit.toMillis() + " ms of virtual time");
            }
            runOneUnit();
        }
    }

    private void runOneUnit() {
        guarded(sim::runOneUnit);
        long now = sim.now();
        for (TestNode<M> node : nodes) {
            if (!node.deferred.isEmpty() && node.isUp() && !node.isPaused()) {
                while (!node.deferred.isEmpty()) {
                    guarded(node.deferred.poll().request());
                }
            }
        }
        runJobs(now);
        if (pending != null) {
            RuntimeException thrown = pending;
            pending = null;
            throw thrown;
        }
    }

    // ------------------------------------------------------------------ clients

    /**
     * A client sends {@code command} to {@code node}: a primary proposes it, a secondary hands
     * it to its primary, as a real node does. The call completes when the command is committed
     * and applied at {@code node} (with the state machine's result), or fails as
     * {@code Cluster.submit}'s future would. To a down node it fails at once; to a paused one it
     * is sent when the node resumes.
     */
    public Call<Committed<R>> submit(TestNode<M> node, byte[] command) {
        own(node);
        byte[] copy = command.clone();
        Call<Committed<R>> call = new Call<>(history.size(), Call.Kind.COMMAND, node.id(), copy, null, null, sim.now());
        history.add(call);
        send(node, call, () -> {
            CompletableFuture<Committed<Object>> future = sim.submitCommand(node.sim, copy);
            future.whenComplete((done, failure) -> call.complete(sim.now(), cast(done), failure));
        });
        return call;
    }

    /**
     * A client's linearizable read at {@code node}: {@code query} runs on a state machine that
     * reflects every write acknowledged before the read began (thesis §6.4; a secondary asks
     * its primary for the index), as {@code Cluster.read(query, LINEARIZABLE)} does.
     */
    public <T> Call<T> read(TestNode<M> node, Function<? super M, T> query) {
        return read(node, null, query);
    }

    /**
     * As {@link #read(TestNode, Function)}, for a key-value-like machine: the read of one key,
     * whose query answers that key's value ({@code null}: absent). Such reads take part in
     * {@link #assertLinearizable(RegisterModel)}.
     */
    public <T> Call<T> read(TestNode<M> node, String key, Function<? super M, T> query) {
        own(node);
        Objects.requireNonNull(query, "query");
        Call<T> call = new Call<>(history.size(), Call.Kind.READ, node.id(), null, query, key, sim.now());
        history.add(call);
        send(node, call, () -> {
            @SuppressWarnings("unchecked")
            Function<StateMachine<?>, T> onMachine = machine -> query.apply((M) machine);
            sim.query(node.sim, onMachine).whenComplete((value, failure) -> call.complete(sim.now(), value, failure));
        });
        return call;
    }

    private void send(TestNode<M> node, Call<?> call, Runnable request) {
        if (!node.isUp()) {
            call.complete(sim.now(), null, new Call.NodeDownException(node.id()));
        } else if (node.isPaused()) {
            node.deferred.add(new TestNode.Deferred(call, request));
        } else {
            guarded(request);
        }
    }

    @SuppressWarnings("unchecked")
    private Committed<R> cast(Committed<Object> done) {
        return (Committed<R>) (Committed<?>) done;
    }

    /** Every call made, in the order made. */
    public List<Call<?>> history() {
        return Collections.unmodifiableList(history);
    }

    // ------------------------------------------------------------------ primary-only work

    /**
     * Schedules primary-only work, as a {@code @Scheduled} method behind
     * {@code PrimaryExecutor} (or {@code @PrimaryOnly}) would run it: on every node, from the
     * moment its driver announces it primary, a run starts at once and then {@code period} after
     * the previous run ended; {@code body} is called at each run's start with the run (node,
     * fencing token); the run then occupies {@code duration} of the node's virtual time. It is
     * interrupted the moment the node stops being primary or crashes, as
     * {@code PrimaryExecutor} interrupts its task. A paused node does no work meanwhile: its run
     * stands still and resumes with it. {@link #assertPrimaryOnlyWorkNeverOverlapped()} then
     * says whether two nodes' runs ever overlapped in virtual time.
     */
    public void schedulePrimaryOnly(String name, Duration period, Duration duration, Consumer<PrimaryRun> body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        if (period.toMillis() < 1 || duration.toMillis() < 1) {
            throw new IllegalArgumentException("period and duration are at least 1 ms, were " + period + ", " + duration);
        }
        PrimaryJob job = new PrimaryJob(name, period.toMillis(), duration.toMillis(), body);
        jobs.add(job);
        for (TestNode<M> node : nodes) {
            if (node.primaryTerm >= 0) {
                job.nextAt.put(node.id(), sim.now());
            }
        }
    }

    /** Every run of primary-only work so far, in the order they started. */
    public List<PrimaryRun> primaryRuns() {
        return Collections.unmodifiableList(runs);
    }

    private void stateChanged(NodeId id, StateChange change) {
        TestNode<M> node = byId.get(id);
        if (node == null) {
            return; // during bootstrap, before the handles exist
        }
        if (change.role() == Role.LEADER) {
            NodeId other = primaryOfTerm.putIfAbsent(change.term(), id);
            if (other != null && !other.equals(id)) {
                primaryConflicts.add("both " + other + " and " + id + " were primary in term " + change.term());
            }
            if (node.primaryTerm != change.term()) {
                lostPrimacy(node, "new term");
                node.primaryTerm = change.term();
                for (PrimaryJob job : jobs) {
                    job.nextAt.put(id, sim.now());
                }
            }
        } else {
            lostPrimacy(node, change.reason());
        }
    }

    private void lostPrimacy(TestNode<M> node, String reason) {
        if (node.primaryTerm < 0) {
            return;
        }
        node.primaryTerm = -1;
        for (PrimaryJob job : jobs) {
            PrimaryRun run = job.running.remove(node.id());
            if (run != null) {
                run.end(sim.now(), true);
                note("PRIMARY-ONLY " + run + " (" + reason + ")");
            }
            job.nextAt.remove(node.id());
        }
    }

    private void runJobs(long now) {
        if (jobs.isEmpty()) {
            return;
        }
        for (TestNode<M> node : nodes) {
            if (node.primaryTerm < 0 || node.isPaused()) {
                continue;
            }
            for (PrimaryJob job : jobs) {
                PrimaryRun run = job.running.get(node.id());
                if (run != null) {
                    if (run.work()) {
                        run.end(now, false);
                        job.running.remove(node.id());
                        job.nextAt.put(node.id(), now + job.period);
                        note("PRIMARY-ONLY " + run);
                    }
                    continue;
                }
                Long due = job.nextAt.get(node.id());
                if (due != null && due <= now) {
                    PrimaryRun started = new PrimaryRun(job.name, node.id(), node.primaryTerm, now, job.duration);
                    runs.add(started);
                    job.running.put(node.id(), started);
                    note("PRIMARY-ONLY start " + started);
                    try {
                        job.body.accept(started);
                    } catch (RuntimeException | AssertionError e) {
                        pending = new IllegalStateException("primary-only job '" + job.name + "' threw on " + node.id()
                                + " at " + now + " ms (seed " + seed + "): " + e, e);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ checks

    /**
     * Checks the history against the state machine itself as the sequential model: some order
     * of the calls, each taking effect between its invocation and its answer, replayed on a fresh
     * machine from the builder's factory, gives every acknowledged command its result and every
     * read its answer. Commands of unknown outcome may or may not have taken effect. The model
     * applies commands at indexes 1, 2, 3, ... (its results must not depend on the log index).
     * The search is exponential at worst; past its budget the check fails as undecided — use
     * {@link #assertLinearizable(RegisterModel)} for long key-value histories.
     *
     * @throws AssertionError when it is not linearizable, or undecided
     */
    public void assertLinearizable() {
        ModelChecker.Result result = new ModelChecker<>(factory, history, MODEL_SEARCH_BUDGET).check();
        if (!result.linearizable()) {
            throw failure("linearizability: " + result.explanation());
        }
    }

    /**
     * Checks the history with the project's register checker (the one the fault-injection suite
     * runs on real processes), each key a register: commands as {@code model} describes them,
     * reads made with {@link #read(TestNode, String, Function)}. Reads without a key are left out.
     *
     * @throws AssertionError when it is not linearizable, or the search gave up (undecided)
     */
    public void assertLinearizable(RegisterModel<R> model) {
        LinearizabilityChecker.LinearizabilityResult result = new LinearizabilityChecker().check(registerHistory(model));
        if (result.verdict() != Verdict.LINEARIZABLE) {
            throw failure(result.describe());
        }
    }

    /** The history as register operations (times in virtual milliseconds), for the register checker. */
    public History registerHistory(RegisterModel<R> model) {
        return registerHistory(history, model, sim.now() + 1);
    }

    /** {@code history} as register operations; calls still open end at {@code end}. */
    static <R> History registerHistory(List<Call<?>> history, RegisterModel<R> model, long end) {
        List<Operation> operations = new ArrayList<>();
        for (Call<?> call : history) {
            Outcome outcome = call.outcome();
            long completed = call.completedAt().orElse(end);
            if (call.kind() == Call.Kind.COMMAND) {
                RegisterModel.Write write = model.write(call.commandBytes());
                if (outcome == Outcome.OK) {
                    @SuppressWarnings("unchecked")
                    R result = ((Committed<R>) call.value()).result();
                    if (!model.tookEffect(call.commandBytes(), result)) {
                        outcome = Outcome.FAILED;
                    }
                }
                operations.add(new Operation(call.id(), call.id(), write.key(), write.kind(), write.value(),
                        write.expected(), outcome, call.invokedAt(), completed));
            } else if (call.key().isPresent()) {
                Object value = outcome == Outcome.OK ? call.value() : null;
                operations.add(new Operation(call.id(), call.id(), call.key().get(), OpKind.GET,
                        value == null ? null : value.toString(), null, outcome, call.invokedAt(), completed));
            }
        }
        return new History(operations);
    }

    /**
     * Checks that no two nodes were primary in one term (Raft's election safety), from every
     * announcement of primacy the nodes' drivers made. (The simulation also checks this after
     * every step, and would have failed the run at once.)
     */
    public void assertAtMostOnePrimaryPerTerm() {
        if (!primaryConflicts.isEmpty()) {
            throw failure("more than one primary in a term: " + primaryConflicts);
        }
    }

    /**
     * Heals every fault — links restored, losses stopped, crashed nodes restarted, pauses waited
     * out — lets the cluster settle (a primary, and every node applied everything committed),
     * then compares every node's {@link StateMachine#snapshot()} byte for byte. Nodes that
     * applied the same commands in the same order must have the same state; a machine that
     * reads the clock, draws random numbers or depends on hash order diverges here.
     *
     * @throws AssertionError naming the nodes whose states differ
     */
    public void assertStateMachinesEqualAfterHeal() {
        heal();
        dropRate(0);
        for (TestNode<M> node : nodes) {
            if (!node.isUp()) {
                restart(node);
            }
        }
        runUntil(() -> nodes.stream().noneMatch(TestNode::isPaused));
        TestNode<M> primary = awaitPrimary();
        runUntil(() -> {
            long commit = primary.commitIndex();
            return primary.isPrimary() && commit == primary.sim.core().lastIndex()
                    && nodes.stream().allMatch(n -> n.appliedIndex() == commit);
        });
        Map<String, List<NodeId>> groups = new LinkedHashMap<>();
        Map<String, String> shown = new LinkedHashMap<>();
        for (TestNode<M> node : nodes) {
            byte[] state = node.machine().snapshot();
            String key = Arrays.toString(state);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(node.id());
            shown.putIfAbsent(key, state.length + " bytes" + (state.length <= 64 ? ": " + printable(state) : ""));
        }
        if (groups.size() > 1) {
            StringBuilder out = new StringBuilder("state machines differ after heal, all at applied index ")
                    .append(primary.appliedIndex()).append(" (is apply deterministic? no clock, no randomness,"
                            + " no hash order):");
            groups.forEach((key, ids) -> out.append("\n  ").append(ids).append(": ").append(shown.get(key)));
            throw failure(out.toString());
        }
    }

    /**
     * Checks that no two nodes' primary-only runs ({@link #schedulePrimaryOnly}) overlapped in
     * virtual time. What this models: the moments each node believed itself primary, as its
     * driver announced them, and work that stops the moment a node learns otherwise. Raft does
     * not promise this never fails: a primary cut off from the others learns it lost primacy
     * only after its election timeout, and a paused one only after it resumes, while another
     * may have been elected; work that must never overlap needs the fencing token checked by
     * the resource it touches. A failure here shows when your work would overlap.
     *
     * @throws AssertionError naming the first two runs that overlapped
     */
    public void assertPrimaryOnlyWorkNeverOverlapped() {
        long now = sim.now();
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
     * Every step of the run so far, one line each — virtual time, node, what happened (message,
     * tick, client call, fault), and the node's state after it — plus the testkit's own events.
     * The same seed and the same calls give the same text, byte for byte.
     *
     * @throws IllegalStateException when the builder turned the trace off
     */
    public String trace() {
        if (trace == null) {
            throw new IllegalStateException("the trace is off: builder().recordTrace(true) keeps it");
        }
        return trace.toString();
    }

    private void note(String event) {
        if (trace != null) {
            trace.append(String.format("t=%-6d %s%n", sim.now(), event));
        }
    }

    // ------------------------------------------------------------------ failures

    private void guarded(Runnable action) {
        try {
            action.run();
        } catch (AssertionError e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    AssertionError failure(String what) {
        return failure(what, null);
    }

    private AssertionError failure(String what, Throwable cause) {
        StringBuilder out = new StringBuilder(what).append("\n  seed ").append(seed).append(", at ")
                .append(sim.now()).append(" ms of virtual time; nodes:");
        for (TestNode<M> node : nodes) {
            out.append("\n    ").append(node);
        }
        List<String> steps = sim.lastSteps();
        if (!steps.isEmpty()) {
            out.append("\n  last steps:");
            steps.subList(Math.max(0, steps.size() - 15), steps.size()).forEach(s -> out.append("\n    ").append(s));
        }
        AssertionError error = new AssertionError(out.toString(), cause);
        return error;
    }

    private TestNode<M> own(TestNode<M> node) {
        if (node == null || byId.get(node.id()) != node) {
            throw new IllegalArgumentException("not a node of this cluster: " + node);
        }
        return node;
    }

    /** Bytes as text when they are printable ASCII, else as hex. */
    static String printable(byte[] bytes) {
        if (bytes == null) {
            return "-";
        }
        for (byte b : bytes) {
            if (b < 32 || b > 126) {
                return java.util.HexFormat.of().formatHex(bytes);
            }
        }
        return "'" + new String(bytes, StandardCharsets.US_ASCII) + "'";
    }
}
