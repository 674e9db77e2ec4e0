package io.clustermode;

import io.clustermode.codec.HandshakeReply;
import io.clustermode.membership.BootstrapGuard;
import io.clustermode.membership.JoinCandidates;
import io.clustermode.membership.MemberDirectory;
import io.clustermode.membership.MemberOrigins;
import io.clustermode.raft.Configuration;
import io.clustermode.raft.Role;
import io.clustermode.raft.StateChange;
import io.clustermode.runtime.NodeSettings;
import io.clustermode.runtime.NodeRuntime;
import io.clustermode.runtime.NodeStatus;
import io.clustermode.runtime.RaftNode;
import io.clustermode.storage.FileStorage;
import io.clustermode.storage.MemoryStorage;
import io.clustermode.storage.RaftStorage;
import io.clustermode.transport.HostPort;
import io.clustermode.transport.PeerHello;
import io.clustermode.transport.Transport;
import io.clustermode.transport.TransportFactory;
import io.clustermode.transport.TransportSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One application instance's membership in a managed cluster — the object the application
 * holds. It discovers its peers, takes part in electing one primary, keeps the membership in
 * step with discovery, and replicates the application's {@link StateMachine}.
 *
 * <pre>{@code
 * Cluster<String, MyStateMachine> cluster = Cluster.start(ClusterConfig.builder()
 *         .seeds(List.of("10.0.0.1:7600", "10.0.0.2:7600", "10.0.0.3:7600"))
 *         .dataDir(Path.of("/var/lib/app/cluster"))
 *         .build(), new MyStateMachine());
 * cluster.addListener(new ClusterListener() {
 *     public void onRoleChange(RoleChange change) {
 *         change.fencingToken().ifPresent(token -> startPrimaryWork(token));
 *     }
 * });
 * cluster.submit("set x 1".getBytes(UTF_8)).thenAccept(done -> log("applied at " + done.index()));
 * }</pre>
 *
 * <h2>Threading</h2>
 * Every method may be called from any thread and never blocks, except {@link #awaitPrimary}
 * and {@link #close}. Futures complete on the node's event loop: do not block in their
 * callbacks. Listeners are called on a notification thread of their own.
 *
 * <h2>Failure</h2>
 * One convention for every call that waits (commands, reads, hand-overs): it returns a future,
 * and the future fails with one {@link ClusterException} per meaning —
 * {@link NotPrimaryException} (nothing done; retry on the primary it names),
 * {@link OverloadedException} (nothing done; retry later),
 * {@link IndeterminateOutcomeException} (proposed, fate unknown),
 * {@link LeadershipTransferException} (no hand-over happened) or
 * {@link ClusterClosedException}. Only a bad argument throws at once
 * ({@link IllegalArgumentException}). Absence is an {@link Optional} or {@link java.util.OptionalLong},
 * never null.
 *
 * @param <R> the state machine's result type
 * @param <M> the state machine's type: {@link #read} queries see it as such, without a cast
 */
public final class Cluster<R, M extends StateMachine<R>> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

    private final ClusterConfig config;
    private final NodeId self;
    private final RaftNode<R> node;
    private final M machine;
    private final Reconciler reconciler;
    private final BootstrapGuard guard;
    /** Nodes that reached this one and asked to be added; the primary's reconciler acts on them. */
    private final JoinCandidates candidates;
    /** How each member came in, as far as this node knows. */
    private final MemberOrigins origins = new MemberOrigins();
    /** Set once every field is: the transport's callbacks may come before. */
    private volatile boolean ready;
    private final ExecutorService notifier;
    private final PrimaryExecutor primaryExecutor;
    private final CopyOnWriteArrayList<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<NodeId, String> addresses = new ConcurrentHashMap<>();
    private volatile RoleChange lastRole;
    /** The last Raft state and configuration the node announced; owned by its event loop. */
    private StateChange lastState;
    private Configuration lastConfiguration;
    private volatile boolean closed;
    /** The partition groups this node takes part in, by name. */
    private final Map<String, PartitionGroup> partitionGroups = new java.util.concurrent.ConcurrentSkipListMap<>();
    /** The partition table as last applied here (written by the event loop). */
    private volatile io.clustermode.raft.PartitionTable partitionTable;
    /** Hand-overs of primacy waiting for another node to lead. */
    private final java.util.List<CompletableFuture<NodeId>> handOvers = new CopyOnWriteArrayList<>();
    /** The application's health checks, which gate primacy. */
    private final HealthChecks healthChecks;

    static {
        // The testkit starts nodes on its own runtime through this (see ClusterAccess).
        io.clustermode.internal.ClusterAccess.register(new io.clustermode.internal.ClusterAccess.Starter() {
            @Override
            public <R, M extends StateMachine<R>> Cluster<R, M> start(ClusterConfig config, M machine,
                                                                      NodeRuntime runtime, RaftStorage storage)
                    throws IOException {
                if (config.nodeId == null) {
                    throw new IllegalArgumentException("a node started on its own runtime needs a nodeId");
                }
                return new Cluster<>(config, config.nodeId, machine, runtime, java.util.Objects.requireNonNull(storage));
            }
        });
    }

    /** Where this node's clock and threads come from: real ones, but in the testkit. */
    private final NodeRuntime runtime;

    private Cluster(ClusterConfig config, NodeId self, M machine, NodeRuntime runtime, RaftStorage givenStorage)
            throws IOException {
        this.config = config;
        this.self = self;
        this.machine = machine;
        this.runtime = runtime;
        this.notifier = runtime.newSerialExecutor("cluster-mode-" + self + "-events");
        this.primaryExecutor = new PrimaryExecutor(self, runtime);
        RaftStorage storage = givenStorage != null ? givenStorage : config.dataDir == null ? new MemoryStorage()
                : FileStorage.open(config.dataDir, config.clusterName, self);
        TransportFactory factory = config.transportFactory != null ? config.transportFactory : TransportFactory.load();
        Transport transport = factory.create(new TransportSettings(self, config.clusterName, config.bind,
                config.advertise, config.connectionTimeout, config.tlsCert, config.tlsKey, config.tlsCa,
                config.clusterSecretFile));
        NodeSettings settings = NodeSettings.defaults(self).withTimeouts(tickFor(config), config.heartbeatInterval,
                config.electionTimeout).withHealthRecovery(config.healthRecovery);
        this.candidates = new JoinCandidates(JoinCandidates.DEFAULT_CAPACITY,
                config.updateInterval.multipliedBy(CANDIDATE_EXPIRY_INTERVALS).toNanos());
        transport.helloListener(this::onHello);
        this.node = RaftNode.start(settings, storage, transport, machine, this::describeTo, runtime);
        this.healthChecks = new HealthChecks(self, config.healthCheckInterval, node::reportHealth, runtime);
        this.guard = new BootstrapGuard(self, () -> !node.status().configuration().isEmpty());
        addresses.put(self, config.advertise);
        this.lastRole = new RoleChange(ClusterRole.INACTIVE, Optional.empty(), node.status().term(), "started");
        node.observe(observing(config.observer));
        node.addListener(this::onStateChange);
        node.addConfigurationListener(this::onConfigurationChange);
        node.addPartitionListener(this::onPartitionsChanged);
        node.addFailureListener(this::onFailure);
        this.reconciler = new Reconciler(config, self, node, guard, addresses, candidates, origins, runtime);
        this.ready = true;
        LOG.info("node {} of cluster '{}' listens at {}; failover budget: a dead primary is replaced within about"
                        + " {} ms (election timeout {}-{} ms, heartbeat {} ms)", self, config.clusterName,
                config.advertise, config.failoverBudget().toMillis(), config.electionTimeout.toMillis(),
                config.electionTimeout.toMillis() * 2, config.heartbeatInterval.toMillis());
        reconciler.start();
    }

    /**
     * Starts this node: opens its storage, starts its transport, and begins discovering and
     * joining its cluster. Returns at once; the node is {@link ClusterRole#INACTIVE} until a
     * primary is known.
     *
     * @throws IOException when the data dir cannot be used (another cluster's or node's, damaged)
     *                     or the transport cannot listen
     */
    public static <R, M extends StateMachine<R>> Cluster<R, M> start(ClusterConfig config, M machine)
            throws IOException {
        return new Cluster<>(config, resolveNodeId(config), machine, NodeRuntime.threads(), null);
    }

    /** Starts a node that only takes part in elections: no application state. */
    public static Cluster<Void, StateMachine<Void>> start(ClusterConfig config) throws IOException {
        return start(config, new StateMachine<Void>() {
            @Override
            public Void apply(long index, byte[] command) {
                return null;
            }

            @Override
            public byte[] snapshot() {
                return new byte[0];
            }

            @Override
            public void restore(byte[] snapshot) {
            }
        });
    }

    private static NodeId resolveNodeId(ClusterConfig config) throws IOException {
        if (config.nodeId != null) {
            return config.nodeId;
        }
        if (config.dataDir != null) {
            Optional<NodeId> stored = FileStorage.storedNodeId(config.dataDir);
            if (stored.isPresent()) {
                return stored.get();
            }
        }
        return NodeId.of("node-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** A candidate not heard from for this many update intervals is forgotten (it asks every round it is out). */
    private static final int CANDIDATE_EXPIRY_INTERVALS = 3;

    /**
     * What this node tells a node that asks who it is (on a transport thread): its bootstrap
     * status, then — when it is a member — the primary it follows and where the members listen.
     * Empty until the node is set up (an asker takes that as "a member": it never bootstraps over it).
     */
    private byte[] describeTo(NodeId asker) {
        if (!ready) {
            return new byte[0];
        }
        return directory().appendTo(guard.describeTo(asker), HandshakeReply.MAX_STATUS_BYTES);
    }

    /** This node's directory: empty unless it is a member; names its primary when it knows one. */
    private MemberDirectory directory() {
        NodeStatus status = node.status();
        Configuration configuration = status.configuration();
        if (!status.running() || !configuration.contains(self)) {
            return MemberDirectory.EMPTY;
        }
        NodeId primary = status.role() == Role.LEADER ? self
                : roleOf(status) == ClusterRole.SECONDARY ? status.leader() : null;
        java.util.List<MemberDirectory.Entry> entries = new java.util.ArrayList<>();
        for (NodeId id : configuration.members()) {
            String address = addresses.get(id);
            if (address != null) {
                try {
                    entries.add(new MemberDirectory.Entry(id, address, origins.of(id)));
                } catch (IllegalArgumentException notAnAddress) {
                    // e.g. an advertised port 0: nobody could connect to it anyway
                }
            }
        }
        boolean full = status.role() == Role.LEADER && configuration.members().size() >= config.maxNodes;
        return new MemberDirectory(primary, full, entries);
    }

    /**
     * A peer proved who it is on a connection to this node (a transport thread; must not block).
     * A node that is not a member, and says where it listens, is asking to be added: remembered
     * as a join candidate, and the primary looks at once.
     */
    private void onHello(PeerHello hello) {
        if (!ready || hello.address().isEmpty() || hello.nodeId().equals(self)) {
            return;
        }
        NodeStatus status = node.status();
        Configuration configuration = status.configuration();
        if (!status.running() || !configuration.contains(self) || configuration.contains(hello.nodeId())) {
            return;
        }
        if (candidates.offer(hello.nodeId(), hello.advertisedAddress(), runtime.nanoTime())) {
            LOG.debug("node {}: {} at {} asks to be added to the cluster", self, hello.nodeId(),
                    hello.advertisedAddress());
            if (status.role() == Role.LEADER) {
                reconciler.candidateArrived();
            }
        }
    }

    /** The runtime's observer, told in the API's terms. */
    private static io.clustermode.runtime.NodeObserver observing(ClusterObserver observer) {
        return new io.clustermode.runtime.NodeObserver() {
            @Override
            public void persisted(int entries, long nanos) {
                observer.persisted(entries, nanos);
            }

            @Override
            public void stateChanged(StateChange change) {
                // a leader was a candidate in its term: this catches elections won at once too
                if (change.role() == Role.CANDIDATE || change.role() == Role.LEADER) {
                    observer.campaigned(change.term());
                }
                observer.leaderChanged(Optional.ofNullable(change.leader()), change.term());
            }

            @Override
            public void messageRefused(NodeId from, String type) {
                observer.messageRefused(from, type);
            }
        };
    }

    private static Duration tickFor(ClusterConfig config) {
        long millis = Math.max(1, Math.min(10, config.heartbeatInterval.toMillis() / 2));
        return Duration.ofMillis(millis);
    }

    // ------------------------------------------------------------------ who is who

    /** This node's id. */
    public NodeId id() {
        return self;
    }

    /** The settings this node runs with. */
    public ClusterConfig config() {
        return config;
    }

    /**
     * This node as discovery would describe it: instance id = node id, service id = cluster
     * name, the advertised host and a port named {@code cluster}.
     */
    public io.clustermode.discovery.ServiceInstance serviceInstance() {
        HostPort advertise = HostPort.parseListen("advertise", config.advertise);
        return new io.clustermode.discovery.ServiceInstance(self.value(), config.clusterName, advertise.host(),
                java.util.List.of(io.clustermode.discovery.ServicePort.tcp(config.portName,
                        Math.max(1, advertise.port()))),
                config.tlsCert != null, null, config.tlsCert != null ? "tls" : "tcp", Map.of());
    }

    /** This node as a member (its address, whether it votes, its role). */
    public Member self() {
        return member(self, node.status());
    }

    /** This node's role now: {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}. */
    public ClusterRole role() {
        return roleOf(node.status());
    }

    /** A member that knows a primary, or the primary itself. */
    public boolean isActive() {
        return role() != ClusterRole.INACTIVE;
    }

    /** Whether this node is the primary now. */
    public boolean isPrimary() {
        return role() == ClusterRole.PRIMARY;
    }

    /** Whether this node is a member that follows a known primary now. */
    public boolean isSecondary() {
        return role() == ClusterRole.SECONDARY;
    }

    /** The primary this node knows of. */
    public Optional<Member> primary() {
        NodeStatus status = node.status();
        return status.leader() == null || roleOf(status) == ClusterRole.INACTIVE ? Optional.empty()
                : Optional.of(member(status.leader(), status));
    }

    /** The primaries, as the origin calls them: one member (or none) until partition ownership comes. */
    public Set<Member> primaries() {
        return primary().map(Set::of).orElse(Set.of());
    }

    /** The members other than the primary. */
    public Set<Member> secondaries() {
        Set<Member> out = new LinkedHashSet<>();
        members().stream().filter(m -> m.role() == ClusterRole.SECONDARY).forEach(out::add);
        return out;
    }

    /** Every member of the configuration this node knows, sorted by id. */
    public Set<Member> members() {
        NodeStatus status = node.status();
        Set<Member> out = new LinkedHashSet<>();
        for (NodeId id : status.configuration().members()) {
            out.add(member(id, status));
        }
        return out;
    }

    /** The fencing token: the term in which this node is primary; empty when it is not. */
    public java.util.OptionalLong fencingToken() {
        NodeStatus status = node.status();
        return status.running() && status.leaderReady() ? java.util.OptionalLong.of(status.term())
                : java.util.OptionalLong.empty();
    }

    /**
     * The id this node's cluster chose when it was bootstrapped (a random UUID); empty until this
     * node knows it — a node that joins learns it from its primary. Peers of another cluster id
     * are refused at the handshake, so two clusters that share a name stay apart.
     */
    public Optional<String> clusterId() {
        return node.clusterId();
    }

    // ------------------------------------------------------------------ health

    /**
     * Adds a health check: primacy follows health. Every check runs every
     * {@link ClusterConfig#healthCheckInterval()} (on a daemon thread of this node; a check must
     * not need the caller's thread); one that returns false, throws, or takes longer than the
     * interval fails, and the node is unhealthy while any check fails. An unhealthy primary hands
     * primacy to a healthy, up-to-date voter within about a heartbeat; an unhealthy node does not
     * take primacy while a healthy one can. It counts as healthy again only after passing for
     * {@link ClusterConfig#healthRecovery()}, so a flapping check does not bounce primacy. When no
     * voter is healthy the primary stays — an unhealthy primary beats none — and logs so.
     *
     * @param name  names the check in the logs; unique on this node
     * @param check true when healthy, e.g. "the database answers"
     * @throws IllegalArgumentException when a check of that name exists or the name is blank
     */
    public void addHealthCheck(String name, java.util.function.BooleanSupplier check) {
        healthChecks.add(name, check);
    }

    /**
     * Removes the health check of that name; the next round reports without it.
     *
     * @return false when there was none
     */
    public boolean removeHealthCheck(String name) {
        return healthChecks.remove(name);
    }

    /**
     * Whether this node counts as healthy now: true without checks, false from a failing check
     * until every check has passed for {@link ClusterConfig#healthRecovery()}.
     */
    public boolean healthy() {
        return node.healthy();
    }

    /** This node's view of the cluster now, in one consistent picture, for monitoring. */
    public ClusterStatus status() {
        NodeStatus status = node.status();
        ClusterRole role = roleOf(status);
        return new ClusterStatus(self, role, status.term(),
                role == ClusterRole.INACTIVE ? Optional.empty() : Optional.ofNullable(status.leader()),
                status.configuration().contains(self), status.configuration().isVoter(self), status.commitIndex(),
                status.appliedIndex(), status.lastIndex(), status.running());
    }

    /**
     * On the primary, how far each member's log matches its own (Raft's match index) and how long
     * ago it last heard from each, for monitoring replication lag and silent members; read on the node's event loop, so it completes after the work
     * queued before it. Completes with empty on any node that is not the primary (a secondary does
     * not know its peers' progress: ask the primary), and fails with
     * {@link ClusterClosedException} once the node has stopped.
     */
    public CompletableFuture<Optional<ReplicationProgress>> replicationProgress() {
        return node.matchIndexes().thenApply(match -> {
            NodeStatus status = node.status();
            if (match.isEmpty() || status.role() != Role.LEADER) {
                return Optional.empty();
            }
            Map<NodeId, Duration> silence = new java.util.TreeMap<>();
            match.keySet().stream().filter(id -> !id.equals(self))
                    .forEach(id -> node.sinceHeardFrom(id).ifPresent(ago -> silence.put(id, ago)));
            return Optional.of(new ReplicationProgress(self, status.term(), match.get(self), status.commitIndex(),
                    match, silence));
        });
    }

    /**
     * How {@code member} came into the cluster, as far as this node knows now. Only the primary
     * that added it knows for sure; it tells the others as they ask who it is, so this may change
     * from {@link JoinedBy#UNKNOWN} a moment after the membership change that added it (which is
     * why it is not part of {@link Member}: the members told to listeners stay what they were).
     * {@link JoinedBy#UNKNOWN} for a node that is not a member.
     */
    public JoinedBy joinedBy(NodeId member) {
        return node.status().configuration().contains(member) ? JoinedBy.valueOf(origins.of(member).name())
                : JoinedBy.UNKNOWN;
    }

    /** Where each known node's transport listens. */
    public Map<NodeId, String> addresses() {
        return Map.copyOf(addresses);
    }

    private Member member(NodeId id, NodeStatus status) {
        ClusterRole role = id.equals(status.leader()) && status.role() != Role.CANDIDATE ? ClusterRole.PRIMARY
                : ClusterRole.SECONDARY;
        if (id.equals(self)) {
            role = roleOf(status);
        }
        return new Member(id, addresses.getOrDefault(id, ""), status.configuration().isVoter(id), role);
    }

    private ClusterRole roleOf(NodeStatus status) {
        // A leader is primary once it has applied an entry of its term (StateChange.leaderReady):
        // before, it may not yet have applied writes its predecessor acknowledged.
        if (!status.running() || !status.configuration().contains(self)) {
            return status.leaderReady() && status.running() ? ClusterRole.PRIMARY : ClusterRole.INACTIVE;
        }
        if (status.role() == Role.LEADER) {
            return status.leaderReady() ? ClusterRole.PRIMARY : ClusterRole.INACTIVE;
        }
        return status.leader() != null && status.role() == Role.FOLLOWER ? ClusterRole.SECONDARY : ClusterRole.INACTIVE;
    }

    // ------------------------------------------------------------------ listening

    /** Adds a listener; it is told of later changes. */
    public void addListener(ClusterListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener added with {@link #addListener}; it hears nothing more. */
    public void removeListener(ClusterListener listener) {
        listeners.remove(listener);
    }

    /**
     * Waits until this node knows a primary.
     *
     * @throws TimeoutException when none is known within {@code timeout}
     */
    public Member awaitPrimary(Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Member> primary = primary();
            if (primary.isPresent()) {
                return primary.get();
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException(self + " knows no primary after " + timeout.toMillis() + " ms");
            }
            Thread.sleep(Math.min(10, Math.max(1, timeout.toMillis() / 100)));
        }
    }

    /**
     * Takes part in partition group {@code group} of {@code count} partitions (CONTRACT.md,
     * "Partitions"): the primary grants this node its share, and listeners on the returned
     * group hear of every partition this node begins or stops holding. Calling again with the
     * same name and count returns the same group. Every member that takes part must give the
     * same count.
     *
     * @param group a name of 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit
     * @param count 1 to 4096
     * @throws IllegalArgumentException for a bad name or count, or a count other than the group's
     */
    public PartitionGroup partitions(String group, int count) {
        if (closed) {
            throw new ClusterClosedException(self + " is closed");
        }
        synchronized (partitionGroups) {
            PartitionGroup existing = partitionGroups.get(group);
            if (existing != null) {
                if (existing.count() != count) {
                    throw new IllegalArgumentException("partition group " + group + " has " + existing.count()
                            + " partitions, not " + count);
                }
                return existing;
            }
            try {
                // On the testkit's runtime the event loop runs on this thread: it must wait through the runtime.
                runtime.await(node.declarePartitions(group, count), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException(e); // no deadline was given
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterClosedException(self + ": interrupted while joining partition group " + group);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            }
            PartitionGroup created = new PartitionGroup(self, group, count, notifier, runtime);
            io.clustermode.raft.PartitionTable table = partitionTable;
            if (table != null) {
                created.tableChanged(table);
            }
            partitionGroups.put(group, created);
            return created;
        }
    }

    /** The partition group {@code group}, when this node takes part in it. */
    public Optional<PartitionGroup> partitionGroup(String group) {
        return Optional.ofNullable(partitionGroups.get(group));
    }

    /** The partition groups this node takes part in, by name. */
    public java.util.SortedMap<String, PartitionGroup> partitionGroups() {
        return java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(partitionGroups));
    }

    /** Partition ownership changed (the node's event loop; must not block). */
    private void onPartitionsChanged(io.clustermode.raft.PartitionTable table,
                                     java.util.List<io.clustermode.raft.PartitionEvent> events) {
        if (table != null) {
            partitionTable = table;
            partitionGroups.values().forEach(group -> group.tableChanged(table));
        }
        for (io.clustermode.raft.PartitionEvent event : events) {
            PartitionGroup group = partitionGroups.get(event.group());
            if (group != null) {
                group.event(event);
            }
        }
    }

    /**
     * Gives up every partition and tells the primary, waiting (up to an election timeout) until
     * the table shows none held here: the partitions move at once instead of after a lease.
     */
    private void leavePartitionGroups() {
        if (partitionGroups.isEmpty()) {
            return;
        }
        for (String group : partitionGroups.keySet()) {
            node.withdrawPartitions(group);
        }
        long deadline = System.nanoTime() + config.electionTimeout.toNanos();
        while (System.nanoTime() - deadline < 0 && holdsAnyInTable()) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean holdsAnyInTable() {
        io.clustermode.raft.PartitionTable table = partitionTable;
        if (table == null) {
            return false;
        }
        for (String group : table.groups()) {
            if (table.ownedBy(group, self) > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * An executor whose tasks run only while this node is primary: a task submitted when it is
     * not is refused with {@link NotPrimaryException}, and running tasks are interrupted (and
     * queued ones dropped) the moment primacy is lost. Each task sees the fencing token of the
     * term it runs in through {@link PrimaryExecutor#fencingToken()}.
     */
    public PrimaryExecutor primaryExecutor() {
        return primaryExecutor;
    }

    private void onStateChange(StateChange change) {
        lastState = change;
        if (change.role() != Role.LEADER && change.leader() != null) {
            for (CompletableFuture<NodeId> handOver : handOvers) { // a snapshot: one added meanwhile stays
                handOver.complete(change.leader());
                handOvers.remove(handOver);
            }
        }
        Configuration configuration = lastConfiguration != null ? lastConfiguration : node.status().configuration();
        announceRole(change, configuration, change.reason());
    }

    /**
     * Tells the listeners this node's role when it differs from the last one told. The role
     * depends on Raft's state and on the configuration (a follower is a secondary only as a
     * member), so both kinds of change come through here: a learner that joins a cluster whose
     * primary it already follows becomes SECONDARY without any change of Raft's state.
     * Called on the node's event loop.
     */
    private void announceRole(StateChange state, Configuration configuration, String reason) {
        // A leader that has not applied an entry of its term yet is not primary: work that reads
        // the replicated state could miss writes its predecessor acknowledged.
        ClusterRole role = state.role() == Role.LEADER ? (state.leaderReady() ? ClusterRole.PRIMARY : ClusterRole.INACTIVE)
                : state.leader() != null && state.role() == Role.FOLLOWER && configuration.contains(self)
                ? ClusterRole.SECONDARY : ClusterRole.INACTIVE;
        Optional<NodeId> primary = state.role() == Role.LEADER && !state.leaderReady() ? Optional.empty()
                : Optional.ofNullable(state.leader());
        RoleChange roleChange = new RoleChange(role, primary, state.term(), reason);
        RoleChange previous = lastRole;
        if (previous.role() == roleChange.role() && java.util.Objects.equals(previous.primary(), roleChange.primary())
                && previous.term() == roleChange.term()) {
            return;
        }
        lastRole = roleChange;
        if (role == ClusterRole.PRIMARY) {
            primaryExecutor.becamePrimary(state.term());
            reconciler.trigger(); // a new primary brings the membership up to date at once
        } else if (previous.role() == ClusterRole.PRIMARY) {
            primaryExecutor.lostPrimacy();
        }
        notify(listener -> listener.onRoleChange(roleChange));
    }

    /** The node stopped on its own (called on its event loop as it ends): tell, and stop the rest. */
    private void onFailure(Throwable cause) {
        RoleChange inactive = new RoleChange(ClusterRole.INACTIVE, Optional.empty(), node.status().term(),
                "stopped: " + cause);
        lastRole = inactive;
        primaryExecutor.lostPrimacy();
        notify(listener -> listener.onRoleChange(inactive));
        notify(listener -> listener.onFailure(cause));
        if (!closed) {
            notifier.execute(() -> {
                reconciler.close();
                config.discovery.close();
            });
        }
    }

    /**
     * Why this node stopped on its own (see {@link ClusterListener#onFailure}); empty while it
     * runs, and after {@link #close()}.
     */
    public Optional<Throwable> failure() {
        return node.failure();
    }

    private void onConfigurationChange(Configuration configuration) {
        lastConfiguration = configuration;
        if (!configuration.members().isEmpty()) {
            origins.retain(configuration.members()); // one removed and added again comes in anew
        }
        StateChange state = lastState;
        if (state != null && node.status().running()) {
            announceRole(state, configuration, configuration.contains(self) ? "a member now: " + configuration
                    : "not a member any more: " + configuration);
        }
        Set<Member> members = members();
        notify(listener -> listener.onMembershipChange(members));
    }

    private void notify(java.util.function.Consumer<ClusterListener> call) {
        if (closed) {
            return;
        }
        notifier.execute(() -> {
            for (ClusterListener listener : listeners) {
                try {
                    call.accept(listener);
                } catch (RuntimeException e) {
                    LOG.warn("node {}: a listener failed: {}", self, e.toString());
                }
            }
        });
    }

    // ------------------------------------------------------------------ the replicated state machine

    /**
     * Proposes {@code command} on any member that knows the primary: a secondary hands it to
     * the primary over the cluster's own connections (batched with the others of the moment,
     * thesis §6.2). Completes with its index, term and result once committed and applied here;
     * fails with {@link NotPrimaryException} when nothing was proposed (no primary known, or
     * the primary refused during a hand-over: try again) and with
     * {@link IndeterminateOutcomeException} when the command may or may not have been committed.
     */
    public CompletableFuture<Committed<R>> submit(byte[] command) {
        return node.propose(command);
    }

    /**
     * Runs {@code query} on the state machine, on the node's event loop (it must be quick and
     * must not block), at the given consistency: {@link Consistency#LINEARIZABLE} sees every
     * command committed before the call (a secondary asks the primary how far it must have
     * applied, then answers from its own copy, thesis §6.4.1; it fails with
     * {@link NotPrimaryException} when no primary is known), {@link Consistency#STALE} reads this
     * node's state as it is.
     */
    public <T> CompletableFuture<T> read(Function<? super M, T> query, Consistency consistency) {
        Function<StateMachine<R>, T> onLoop = ignored -> query.apply(machine);
        return consistency == Consistency.LINEARIZABLE ? node.read(onLoop) : node.readStale(onLoop);
    }

    // ------------------------------------------------------------------ leadership

    /**
     * Hands primacy to the secondary this node heard from most recently (an up-to-date voter).
     *
     * @return completes with the id of the primary that took over, once this node follows it;
     *         fails with {@link NotPrimaryException} when this node is not the primary, with
     *         {@link LeadershipTransferException} when no voter can take over or none did within
     *         twice the election timeout
     */
    public CompletableFuture<NodeId> transferLeadership() {
        NodeStatus status = node.status();
        if (status.role() != Role.LEADER) {
            return CompletableFuture.failedFuture(new NotPrimaryException(self, status.leader()));
        }
        return bestSuccessor().map(this::handOver).orElseGet(() -> CompletableFuture.failedFuture(
                new LeadershipTransferException(self + " has no voter it has heard from to hand primacy to")));
    }

    /**
     * Hands primacy to {@code successor}, a voter: the primary first brings its log up to date,
     * then tells it to campaign at once (thesis §3.10).
     *
     * @return completes and fails as {@link #transferLeadership()} does
     * @throws IllegalArgumentException when {@code successor} is not another voter of the cluster
     */
    public CompletableFuture<NodeId> transferLeadership(NodeId successor) {
        NodeStatus status = node.status();
        if (successor.equals(self) || !status.configuration().isVoter(successor)) {
            throw new IllegalArgumentException(successor + " is not another voter of the cluster (voters: "
                    + status.configuration().voters() + ")");
        }
        if (status.role() != Role.LEADER) {
            return CompletableFuture.failedFuture(new NotPrimaryException(self, status.leader()));
        }
        return handOver(successor);
    }

    /** Same as {@link #transferLeadership()}: the primary steps down in favour of a secondary. */
    public CompletableFuture<NodeId> stepDown() {
        return transferLeadership();
    }

    /** Asks the core to hand over, and completes when another node leads (see {@link #onStateChange}). */
    private CompletableFuture<NodeId> handOver(NodeId successor) {
        CompletableFuture<NodeId> done = new CompletableFuture<>();
        handOvers.removeIf(CompletableFuture::isDone);
        handOvers.add(done);
        node.transferLeadership(successor).whenComplete((started, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
            } else if (!started) {
                NodeStatus now = node.status();
                done.completeExceptionally(now.role() == Role.LEADER
                        ? new LeadershipTransferException(self + " could not start handing primacy to " + successor)
                        : new NotPrimaryException(self, now.leader()));
            }
        });
        long limit = config.electionTimeout.multipliedBy(2).toMillis();
        runtime.schedule(TimeUnit.MILLISECONDS.toNanos(limit), () -> done.completeExceptionally(
                new LeadershipTransferException(successor + " did not take primacy over from " + self + " within "
                        + limit + " ms")));
        return done;
    }

    private Optional<NodeId> bestSuccessor() {
        NodeStatus status = node.status();
        if (status.role() != Role.LEADER) {
            return Optional.empty();
        }
        return status.configuration().voters().stream()
                .filter(id -> !id.equals(self))
                .filter(id -> node.sinceHeardFrom(id).isPresent())
                .min(Comparator.comparing(id -> node.sinceHeardFrom(id).orElse(Duration.ofDays(1))));
    }

    /**
     * Leaves gracefully: a primary first hands over to an up-to-date secondary and waits (at most
     * an election timeout) until it has, so a rolling restart costs a round trip rather than an
     * election timeout; then the node stops.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        leavePartitionGroups();
        try {
            if (node.status().role() == Role.LEADER) {
                NodeId successor = transferLeadership().get(config.electionTimeout.toMillis() * 2 + 1_000,
                        TimeUnit.MILLISECONDS);
                LOG.info("node {} handed primacy over to {} before leaving", self, successor);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.info("node {} leaves without handing over: {}", self, e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.info("node {} leaves without handing over: no answer in time", self);
        }
        closeNow();
    }

    /**
     * Stops at once, without handing primacy over: the others notice only when the election
     * timeout passes, as when the process dies. For tests and emergencies; prefer {@link #close()}.
     */
    public void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        healthChecks.close();
        reconciler.close();
        primaryExecutor.lostPrimacy();
        node.close();
        partitionGroups.values().forEach(PartitionGroup::stopped);
        // The event loop has ended: nothing else announces now. A node that leaves says so —
        // an application that was told PRIMARY must hear that it is not, at shutdown too.
        RoleChange last = lastRole;
        if (last.role() != ClusterRole.INACTIVE || last.primary().isPresent()) {
            RoleChange gone = new RoleChange(ClusterRole.INACTIVE, Optional.empty(), last.term(), "closed");
            lastRole = gone;
            notifier.execute(() -> listeners.forEach(listener -> {
                try {
                    listener.onRoleChange(gone);
                } catch (RuntimeException e) {
                    LOG.warn("node {}: a listener failed: {}", self, e.toString());
                }
            }));
        }
        config.discovery.close();
        notifier.shutdown();
    }

    /** Forces a membership round now (normally every update interval, and on discovery changes). */
    public void reconcileNow() {
        reconciler.trigger();
    }
}
