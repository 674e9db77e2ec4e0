package io.clustermode.testkit;

import io.clustermode.Committed;
import io.clustermode.NodeId;
import io.clustermode.StateMachine;
import io.clustermode.linearizability.History;
import io.clustermode.linearizability.OpKind;
import io.clustermode.linearizability.Operation;
import io.clustermode.linearizability.Outcome;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A cluster of real {@code io.clustermode.Cluster} nodes running the application's
 * {@link StateMachine}, on virtual time, decided entirely by one seed: the same seed and the same
 * calls give the same run, step for step ({@link #trace()} is byte-identical), so a failure found
 * once is found again.
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
 * <h2>What runs, and what differs from production</h2>
 * Each node is what {@code Cluster.start} starts — discovery of its peers (static seeds), the
 * bootstrap guard, the membership reconciler, the Raft event loop, the notification thread that
 * calls the application's {@code ClusterListener}s, the {@code PrimaryExecutor}, partition groups
 * and their work, health checks — on a runtime whose clock is virtual and whose threads are
 * tasks that the test cluster runs on the test's thread, one at a time, in an order decided by
 * virtual time and the seed ({@link TestNode#cluster()} is that {@code Cluster}). The nodes form
 * their cluster as real ones do: they find each other, the lowest id bootstraps, the primary
 * adds and promotes the others ({@link #awaitPrimary()} waits for that the first time).
 * What differs: the network (messages take 1–8 ms, may overtake each other, be lost
 * ({@link #dropRate}) or cut; no TLS, no handshake bytes), the disk (kept in memory per node
 * across its processes: a {@link #crash} keeps exactly what the node persisted, which it does
 * before it acknowledges or sends anything; no torn writes — the project's Raft-level simulation,
 * {@code cluster-mode-simulation}, has those and its per-step invariants), and time: code that
 * blocks a thread — {@code Thread.sleep}, {@code Future.get} inside a task, a health check that
 * never returns, {@code Cluster.awaitPrimary} or {@code Cluster.close} — would stop the whole
 * test; use {@link TestNode#scheduler()}, futures, and {@link #crash}/{@link #restart}. A task is
 * instantaneous in virtual time, so "interrupted when primacy is lost" happens at a
 * deterministic point: the task's next wait, or for work made of steps (as
 * {@link #schedulePrimaryOnly} makes it) its next step.
 *
 * <p>Time: the heartbeat and election timeout are the real defaults (100 ms, 1000 ms) unless the
 * builder says otherwise; a node ticks every 10 ms at those, as a real node does.
 *
 * <h2>Threading and failure</h2>
 * Not thread-safe: one test thread drives it. A state machine that throws, a job's body that
 * throws, a condition not reached in time and a failed check throw {@link AssertionError} whose
 * message names the seed and shows the last steps.
 *
 * @param <R> the state machine's result type
 * @param <M> the state machine's type
 */
public final class TestCluster<R, M extends StateMachine<R>> {

    /** Budget of the general linearizability search ({@link #assertLinearizable()}), in search steps. */
    static final long MODEL_SEARCH_BUDGET = 2_000_000;

    final ClusterSimulation<R, M> sim;
    private final Supplier<M> factory;

    private TestCluster(Builder<R, M> builder) {
        this.factory = builder.factory;
        List<Consumer<SimulatedNode<R, M>>> onStart = new ArrayList<>();
        for (Consumer<TestNode<M>> setup : builder.onStart) {
            onStart.add(node -> setup.accept(node.handle));
        }
        this.sim = ClusterSimulation.start(new ClusterSimulation.Settings<>(builder.nodes, builder.seed, builder.factory,
                builder.heartbeat, builder.electionTimeout, builder.trace, builder.partitions, onStart));
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
        private final Map<String, Integer> partitions = new java.util.LinkedHashMap<>();
        private final List<Consumer<TestNode<M>>> onStart = new ArrayList<>();

        private Builder() {
        }

        private <R2, M2 extends StateMachine<R2>> Builder<R2, M2> copy(Supplier<M2> newFactory) {
            if (!onStart.isEmpty()) {
                throw new IllegalStateException("give the state machine before onStart");
            }
            Builder<R2, M2> next = new Builder<>();
            next.nodes = nodes;
            next.seed = seed;
            next.factory = newFactory;
            next.heartbeat = heartbeat;
            next.electionTimeout = electionTimeout;
            next.trace = trace;
            next.partitions.putAll(partitions);
            return next;
        }

        /** How many nodes, all voters once formed, 1 to 9 (default 3). */
        public Builder<R, M> nodes(int count) {
            if (count < 1 || count > 9) {
                throw new IllegalArgumentException("a test cluster has 1 to 9 nodes, was " + count);
            }
            this.nodes = count;
            return this;
        }

        /** The seed everything draws from: network delays and losses, election timeouts, the order of tasks (default 1). */
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
            if (interval.toMillis() < 10) {
                throw new IllegalArgumentException("the heartbeat is at least one tick, 10 ms, was " + interval);
            }
            this.heartbeat = interval;
            return this;
        }

        /**
         * The base election timeout in virtual time, randomized up to twice that (default 1000 ms,
         * as a real node's); at least 30 ms and three heartbeats.
         */
        public Builder<R, M> electionTimeout(Duration timeout) {
            if (timeout.toMillis() < 30) {
                throw new IllegalArgumentException("the election timeout is at least 30 ms, was " + timeout);
            }
            this.electionTimeout = timeout;
            return this;
        }

        /**
         * Every node takes part in partition group {@code group} of {@code count} partitions
         * ({@code Cluster.partitions(group, count)}) from the start of each of its processes;
         * {@link TestCluster#assertOneHolderPerPartition()} checks what their listeners were told.
         */
        public Builder<R, M> partitions(String group, int count) {
            partitions.put(Objects.requireNonNull(group, "group"), count);
            return this;
        }

        /**
         * Called as each node's process starts (at build and at each restart), once its
         * {@code Cluster} started and before anything else runs: the application's own start-up
         * ({@code node.cluster().addListener(...)}, health checks, partition groups, timers on
         * {@link TestNode#scheduler()}). Give the state machine first.
         */
        public Builder<R, M> onStart(Consumer<TestNode<M>> setup) {
            onStart.add(Objects.requireNonNull(setup, "setup"));
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
         * The cluster, its nodes started (none primary yet: {@link TestCluster#awaitPrimary()}
         * lets them form it).
         *
         * @throws IllegalStateException when no state machine was given
         * @throws IllegalArgumentException when the timing is one {@code ClusterConfig} refuses
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
        return sim.seed();
    }

    /**
     * A random source for the test's own choices (which node to crash, what to write), seeded
     * from the cluster's seed: with it, a whole randomized test replays from the seed.
     */
    public Random random() {
        return sim.random();
    }

    /** The nodes, {@code n1} first. */
    public List<TestNode<M>> nodes() {
        List<TestNode<M>> handles = new ArrayList<>();
        sim.nodes().forEach(node -> handles.add(node.handle));
        return java.util.Collections.unmodifiableList(handles);
    }

    /** The node with that id ({@code "n1"}, ...). */
    public TestNode<M> node(String id) {
        return sim.node(id).handle;
    }

    /** The node whose {@code Cluster} reports PRIMARY in the highest term now, if any. */
    public Optional<TestNode<M>> primary() {
        return sim.primary().map(node -> node.handle);
    }

    /** The virtual time since the cluster was built. */
    public Duration now() {
        return sim.now();
    }

    // ------------------------------------------------------------------ faults

    /** Cuts the link between {@code a} and {@code b}, both ways; each still reaches the others. */
    public void partition(TestNode<M> a, TestNode<M> b) {
        sim.partition(own(a), own(b));
    }

    /** Splits the cluster in two: {@code side} and the rest cannot reach each other. */
    public void partition(Collection<TestNode<M>> side) {
        List<SimulatedNode<R, M>> nodes = new ArrayList<>();
        side.forEach(node -> nodes.add(own(node)));
        sim.partition(nodes);
    }

    /** Cuts {@code node} off from every other node, both ways. */
    public void isolate(TestNode<M> node) {
        sim.isolate(own(node));
    }

    /** Restores every link (crashed nodes stay down, paused ones stay paused). */
    public void heal() {
        sim.heal();
    }

    /** The chance (0 to 1) that the network loses each message, from now on (default 0). */
    public void dropRate(double rate) {
        sim.dropRate(rate);
    }

    /**
     * Kills {@code node}'s process (kill -9): nothing it planned runs any more — its event loop,
     * its listeners' notifications, its primary-only and partition work, its timers — messages on
     * their way to it are lost, calls waiting on it get no answer (their outcome stays unknown),
     * and calls waiting for a paused process were never made (they fail). Its disk keeps what it
     * persisted.
     */
    public void crash(TestNode<M> node) {
        sim.crash(own(node));
    }

    /** Starts a crashed node again: a new {@code Cluster} on its disk, with a new state machine restored from it. */
    public void restart(TestNode<M> node) {
        sim.restart(own(node));
    }

    /**
     * Stops {@code node}'s process for {@code duration} of virtual time (SIGSTOP, a long garbage
     * collection): nothing of it runs — no ticks, no messages read, no listener called, no
     * primary-only work — and requests to it wait; it is not told. A paused primary still
     * believes it is primary, and finds out otherwise only after it resumes.
     */
    public void pause(TestNode<M> node, Duration duration) {
        sim.pause(own(node), duration);
    }

    // ------------------------------------------------------------------ time

    /** Runs {@code duration} of virtual time. */
    public void advance(Duration duration) {
        sim.advance(duration);
    }

    /**
     * Runs until a primary can serve: a node whose {@code Cluster} reports PRIMARY, not paused,
     * that a majority of the nodes (itself included) report as their primary over links that
     * work both ways — so a primary cut off from the others, which still believes it is one until
     * it notices, does not count. The first time, also until the nodes formed their cluster
     * (every node a voter). At most 30 election timeouts of virtual time.
     *
     * @throws AssertionError when none appears in that time
     */
    public TestNode<M> awaitPrimary() {
        return sim.awaitPrimary().handle;
    }

    /**
     * Runs until {@code condition} holds (checked between steps), at most 60 seconds of virtual time.
     *
     * @throws AssertionError when it does not hold by then
     */
    public void runUntil(BooleanSupplier condition) {
        sim.runUntil(condition);
    }

    /**
     * Runs until {@code condition} holds, at most {@code limit} of virtual time.
     *
     * @throws AssertionError when it does not hold by then
     */
    public void runUntil(BooleanSupplier condition, Duration limit) {
        sim.runUntil(condition, limit);
    }

    // ------------------------------------------------------------------ clients

    /**
     * A client calls {@code Cluster.submit(command)} on {@code node}: a primary proposes it, a
     * secondary hands it to its primary. The call completes when the future does, with the state
     * machine's result or the failure {@code Cluster.submit}'s future gives. To a down node it
     * fails at once; to a paused one it is made when the node resumes.
     */
    public Call<Committed<R>> submit(TestNode<M> node, byte[] command) {
        return sim.submit(own(node), command);
    }

    /**
     * A client's linearizable read at {@code node}: {@code Cluster.read(query, LINEARIZABLE)} —
     * {@code query} runs on a state machine that reflects every write acknowledged before the
     * read began (thesis §6.4; a secondary asks its primary for the index).
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
        Objects.requireNonNull(query, "query");
        return sim.read(own(node), key, query);
    }

    /** Every call made, in the order made. */
    public List<Call<?>> history() {
        return sim.history();
    }

    // ------------------------------------------------------------------ primary-only work

    /**
     * Schedules primary-only work through each node's real {@code PrimaryExecutor}, as a
     * {@code @Scheduled} method behind it (or {@code @PrimaryOnly}) would run: on every node,
     * every {@code period} (from each process's start), a run is submitted to the node's
     * {@code PrimaryExecutor} — refused unless the node is primary; {@code body} is called at the
     * run's start with the run (node, fencing token from {@code PrimaryExecutor.fencingToken()});
     * the run then does {@code duration} of work in 1 ms steps, each submitted to the
     * {@code PrimaryExecutor}, and ends interrupted at the first step the executor refuses or
     * runs under another token — the node lost primacy (or crashed). A paused node does no work
     * meanwhile: its run stands still and goes on with it. {@link #assertPrimaryOnlyWorkNeverOverlapped()}
     * then says whether two nodes' runs ever overlapped in virtual time.
     */
    public void schedulePrimaryOnly(String name, Duration period, Duration duration, Consumer<PrimaryRun> body) {
        sim.schedulePrimaryOnly(name, period, duration, body);
    }

    /**
     * Records that the application's own primary-only work began on {@code node} now — work
     * {@link #schedulePrimaryOnly} does not make, such as a job started from a listener — so that
     * {@link #assertPrimaryOnlyWorkNeverOverlapped()} checks it with the rest; end it with
     * {@link #endPrimaryWork}. Its token is the node's fencing token now (-1 when it has none).
     */
    public PrimaryRun beginPrimaryWork(TestNode<M> node, String job) {
        return sim.beginPrimaryWork(own(node), job);
    }

    /** Records that {@code run} ended now; {@code interrupted}: it stopped because primacy was lost. */
    public void endPrimaryWork(PrimaryRun run, boolean interrupted) {
        sim.endPrimaryWork(run, interrupted);
    }

    /** Every run of primary-only work so far, in the order they started. */
    public List<PrimaryRun> primaryRuns() {
        return sim.primaryRuns();
    }

    // ------------------------------------------------------------------ partitions

    /**
     * Who holds each partition now ({@code "group/p"} to node), as the holders'
     * {@code PartitionListener}s were told ({@code onAssigned} and not yet {@code onRevoked}; a
     * crashed node holds nothing).
     */
    public Map<String, NodeId> partitionHolders() {
        return sim.partitionHolders();
    }

    /**
     * Checks that no partition was ever assigned to a node's {@code PartitionListener} while
     * another node's listener held it.
     *
     * @throws AssertionError naming the partition, the nodes and the time
     */
    public void assertOneHolderPerPartition() {
        sim.assertOneHolderPerPartition();
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
        ModelChecker.Result result = new ModelChecker<>(factory, sim.history(), MODEL_SEARCH_BUDGET).check();
        if (!result.linearizable()) {
            throw sim.failure("linearizability: " + result.explanation());
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
        sim.assertLinearizable(model);
    }

    /** The history as register operations (times in virtual milliseconds), for the register checker. */
    public History registerHistory(RegisterModel<R> model) {
        return registerHistory(sim.history(), model, sim.now().toMillis() + 1);
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
     * Checks that no two nodes' {@code ClusterListener}s were told PRIMARY in one term (Raft's
     * election safety, as the application sees it).
     */
    public void assertAtMostOnePrimaryPerTerm() {
        sim.assertAtMostOnePrimaryPerTerm();
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
        sim.assertStateMachinesEqualAfterHeal();
    }

    /**
     * Checks that no two nodes' primary-only runs ({@link #schedulePrimaryOnly},
     * {@link #beginPrimaryWork}) overlapped in virtual time. What this shows: the moments each
     * node's {@code PrimaryExecutor} ran work, as its {@code Cluster} believed it primary. A
     * primary cut off from the others steps down before they can elect another (its clock and
     * theirs keep one rate here), but a paused one learns it lost primacy only after it resumes,
     * while another may have been elected: work that must never overlap needs the fencing token
     * checked by the resource it touches. A failure here shows when your work would overlap.
     *
     * @throws AssertionError naming the first two runs that overlapped
     */
    public void assertPrimaryOnlyWorkNeverOverlapped() {
        sim.assertPrimaryOnlyWorkNeverOverlapped();
    }

    // ------------------------------------------------------------------ trace

    /**
     * Every step of the run so far, one line each — virtual time, a message delivered, a timer
     * turn of a node's event loop ({@code tick}), a node's status when a turn changed it, what
     * its listeners were told, client calls and answers, faults. The same seed and the same calls
     * give the same text, byte for byte.
     *
     * @throws IllegalStateException when the builder turned the trace off
     */
    public String trace() {
        return sim.trace();
    }

    private SimulatedNode<R, M> own(TestNode<M> node) {
        if (node == null || sim.nodes().stream().noneMatch(n -> n.handle == node)) {
            throw new IllegalArgumentException("not a node of this cluster: " + node);
        }
        @SuppressWarnings("unchecked")
        SimulatedNode<R, M> simulated = (SimulatedNode<R, M>) node.simulated();
        return simulated;
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
