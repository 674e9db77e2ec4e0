package io.clustermode.cli;

import io.clustermode.Cluster;
import io.clustermode.ClusterRole;
import io.clustermode.NodeId;
import io.clustermode.ClusterStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's metrics, in Prometheus names ({@code cluster_mode_...}, units in the name,
 * {@code _total} on counters).
 *
 * <p>Role, term, indexes and membership are read from the node's status when scraped. Leader
 * changes, elections started and the time without a primary are counted from the node's
 * state changes as they happen ({@link #stateChanged}); elections are also noticed in this
 * node's vote requests ({@link CountingTransport}), so none is missed and none counted twice.
 * Nothing here runs on a timer: an idle node does no work for its metrics.
 */
final class NodeMetrics implements io.clustermode.ClusterObserver, io.clustermode.cli.http.HttpServerEvents {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter leaderChanges;
    private final Counter electionsStarted;
    private final Timer proposals;
    private final Timer persists;
    private final Counter persistedEntries;
    private final Counter connectionsRefused;
    private final Counter readTimeouts;
    private final Map<String, Counter> authRefusals = new ConcurrentHashMap<>();
    private final AtomicReference<Cluster<?, ?>> cluster = new AtomicReference<>();
    private final Map<String, Counter[]> messageCounters = new ConcurrentHashMap<>();
    /** Time without a primary in periods that ended. */
    private long nanosWithoutPrimary;
    /** When the current period without a primary began; -1 while a primary is known. */
    private long withoutPrimarySince = System.nanoTime();
    private NodeId lastLeader;
    private long lastCandidateTerm = -1;

    NodeMetrics() {
        leaderChanges = Counter.builder("cluster.mode.leader.changes")
                .description("how often the primary this node knows changed to another node").register(registry);
        electionsStarted = Counter.builder("cluster.mode.elections.started")
                .description("elections this node started as a candidate").register(registry);
        persists = Timer.builder("cluster.mode.storage.persist").publishPercentileHistogram()
                .description("Time to append and fsync one batch (a group commit)").register(registry);
        persistedEntries = Counter.builder("cluster.mode.storage.persisted.entries")
                .description("Log entries made durable").register(registry);
        proposals = Timer.builder("cluster.mode.proposal.latency")
                .description("from proposing a command to its commit and apply on this node")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
                        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5))
                .register(registry);
        connectionsRefused = Counter.builder("cluster.mode.http.connections.refused")
                .description("HTTP connections closed at once because --http-max-connections were open")
                .register(registry);
        readTimeouts = Counter.builder("cluster.mode.http.read.timeouts")
                .description("HTTP connections cut off because a request did not arrive within --http-read-timeout")
                .register(registry);
        // The process itself: memory, threads, CPU, uptime (jvm_*, process_*, system_*).
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
        FunctionCounter.builder("cluster.mode.time.without.primary", this, NodeMetrics::secondsWithoutPrimary)
                .baseUnit("seconds").description("time this node knew no primary").register(registry);
        for (ClusterRole role : ClusterRole.values()) {
            Gauge.builder("cluster.mode.role", this, m -> m.role() == role ? 1 : 0).tag("role", role.name())
                    .description("1 for this node's role, 0 for the others").register(registry);
        }
        gauge("cluster.mode.term", "the current Raft term", ClusterStatus::term);
        gauge("cluster.mode.commit.index", "the highest log index known committed", ClusterStatus::commitIndex);
        gauge("cluster.mode.applied.index", "the highest log index applied to the state machine",
                ClusterStatus::appliedIndex);
        gauge("cluster.mode.last.index", "the last index of the local log", ClusterStatus::lastIndex);
        clusterGauge("cluster.mode.members", "members of the configuration in effect", c -> c.members().size());
        clusterGauge("cluster.mode.voters", "voting members of the configuration in effect",
                c -> c.members().stream().filter(io.clustermode.Member::voter).count());
    }

    private void gauge(String name, String description, java.util.function.ToDoubleFunction<ClusterStatus> value) {
        clusterGauge(name, description, c -> value.applyAsDouble(c.status()));
    }

    private void clusterGauge(String name, String description,
                              java.util.function.ToDoubleFunction<Cluster<?, ?>> value) {
        Gauge.builder(name, this, m -> {
            Cluster<?, ?> c = m.cluster.get();
            return c == null ? Double.NaN : value.applyAsDouble(c);
        }).description(description).register(registry);
    }

    private ClusterRole role() {
        Cluster<?, ?> c = cluster.get();
        return c == null ? ClusterRole.INACTIVE : c.role();
    }

    void attach(Cluster<?, ?> node) {
        cluster.set(node);
    }

    /**
     * Meters of a partition group this node takes part in: the partitions it holds
     * ({@code cluster_mode_partitions_owned}), how many none holds in its view
     * ({@code cluster_mode_partitions_unowned}), the moves it saw (a partition granted to another
     * member than its last holder) and the time partitions spent without a holder, summed over
     * the partitions ({@code cluster_mode_partitions_unowned_time_seconds_total}).
     */
    void partitions(io.clustermode.PartitionGroup group) {
        Gauge.builder("cluster.mode.partitions.owned", group, g -> g.owned().size()).tag("group", group.name())
                .description("partitions of the group this node holds").register(registry);
        Gauge.builder("cluster.mode.partitions.unowned", group, g -> {
            int unowned = 0;
            for (int p = 0; p < g.count(); p++) {
                unowned += g.owner(p).isEmpty() ? 1 : 0;
            }
            return unowned;
        }).tag("group", group.name()).description("partitions of the group no member holds, as this node sees it")
                .register(registry);
        FunctionCounter.builder("cluster.mode.partition.moves", group, g -> g.moves()).tag("group", group.name())
                .description("partitions granted to another member than their last holder, as this node saw it")
                .register(registry);
        FunctionCounter.builder("cluster.mode.partitions.unowned.time", group, g -> g.unownedTime().toNanos() / 1e9)
                .baseUnit("seconds").tag("group", group.name())
                .description("time partitions of the group spent without a holder, summed, as this node saw it")
                .register(registry);
    }

    /** Reports how many event streams ({@code GET /cluster/events}) are open, as {@code open} tells. */
    void eventStreams(java.util.function.IntSupplier open) {
        // Held strongly: a gauge keeps its object weakly, and a method reference has no other holder.
        Gauge.builder("cluster.mode.http.event.streams", open, java.util.function.IntSupplier::getAsInt)
                .strongReference(true).description("open GET /cluster/events streams (the web view's and others')")
                .register(registry);
    }

    @Override
    public void campaigned(long term) {
        electionStarted(term);
    }

    @Override
    public synchronized void leaderChanged(java.util.Optional<NodeId> known, long term) {
        NodeId leader = known.orElse(null);
        long now = System.nanoTime();
        if (leader == null) {
            if (withoutPrimarySince < 0) {
                withoutPrimarySince = now;
            }
            return;
        }
        if (withoutPrimarySince >= 0) {
            nanosWithoutPrimary += now - withoutPrimarySince;
            withoutPrimarySince = -1;
        }
        if (!leader.equals(lastLeader)) {
            leaderChanges.increment(); // the first primary seen counts too, as etcd's leader_changes_seen
            lastLeader = leader;
        }
    }

    private synchronized double secondsWithoutPrimary() {
        long ongoing = withoutPrimarySince < 0 ? 0 : System.nanoTime() - withoutPrimarySince;
        return (nanosWithoutPrimary + ongoing) / 1e9;
    }

    /** This node stood as a candidate in {@code term} (seen in its status, or in its vote requests); counted once. */
    synchronized void electionStarted(long term) {
        if (term > lastCandidateTerm) {
            lastCandidateTerm = term;
            electionsStarted.increment();
        }
    }

    /** A transport message: {@code direction} is sent, dropped (queue full or peer unknown) or received. */
    void message(String direction, String type, int bytes) {
        // Looked up once per kind: building a meter id per message costs more than the count.
        Counter[] counters = messageCounters.computeIfAbsent(direction + ' ' + type, k -> new Counter[] {
            Counter.builder("cluster.mode.transport.messages").description("Raft messages by type and direction")
                    .tag("direction", direction).tag("type", type).register(registry),
            Counter.builder("cluster.mode.transport").baseUnit("bytes")
                    .description("Bytes of Raft messages (encoded, without framing) by type and direction")
                    .tag("direction", direction).tag("type", type).register(registry)});
        counters[0].increment();
        counters[1].increment(bytes);
    }

    /** One group commit made durable: its latency (append and fsync) and size. */
    @Override
    public void persisted(int entries, long nanos) {
        persists.record(nanos, TimeUnit.NANOSECONDS);
        persistedEntries.increment(entries);
    }

    /** A message refused by the runtime or the core (see {@code RaftCore#step}); types are the nine message types. */
    @Override
    public void messageRefused(io.clustermode.NodeId from, String type) {
        Counter.builder("cluster.mode.messages.refused")
                .description("Raft messages refused: from a non-member, or impossible for an honest peer")
                .tag("type", type).register(registry).increment();
    }

    void proposal(long nanos) {
        proposals.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One counter per method and status, looked up without building a meter id per request. */
    private final Map<String, Counter> requestCounters = new ConcurrentHashMap<>();

    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "PUT", "POST", "DELETE");

    @Override
    public void answered(String method, int status) {
        request(method, status);
    }

    @Override
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    @Override
    public void readTimedOut() {
        readTimeouts.increment();
    }

    @Override
    public void authenticationRefused(String reason) {
        authRefusals.computeIfAbsent(reason, r -> Counter.builder("cluster.mode.http.auth.refusals")
                .description("HTTP requests refused for a missing or wrong bearer token").tag("reason", r)
                .register(registry)).increment();
    }

    void request(String method, int status) {
        // Any method name may arrive; only known ones become label values, so labels stay few.
        String known = METHODS.contains(method) ? method : "OTHER";
        requestCounters.computeIfAbsent(known + ' ' + status, key -> Counter.builder("cluster.mode.http.requests")
                .description("HTTP API requests answered").tag("method", known)
                .tag("status", Integer.toString(status)).register(registry)).increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
