package io.clustermode.spring.actuate;

import io.clustermode.Cluster;
import io.clustermode.ClusterObserver;
import io.clustermode.ClusterRole;
import io.clustermode.ClusterStatus;
import io.clustermode.Member;
import io.clustermode.NodeId;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The node's meters in the application's {@link MeterRegistry}, with the names of the command
 * line's {@code /metrics} ({@code cluster.mode.*}; in Prometheus {@code cluster_mode_*}):
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code cluster.mode.role}, tag {@code role}</td><td>gauge</td><td>1 for this node's role, 0 for the others</td></tr>
 *   <tr><td>{@code cluster.mode.term}</td><td>gauge</td><td>the current Raft term</td></tr>
 *   <tr><td>{@code cluster.mode.commit.index}, {@code .applied.index}, {@code .last.index}</td><td>gauges</td><td>the log's indexes</td></tr>
 *   <tr><td>{@code cluster.mode.members}, {@code cluster.mode.voters}</td><td>gauges</td><td>members and voters of the configuration</td></tr>
 *   <tr><td>{@code cluster.mode.leader.changes}</td><td>counter</td><td>how often the primary this node knows changed</td></tr>
 *   <tr><td>{@code cluster.mode.elections.started}</td><td>counter</td><td>elections this node stood in</td></tr>
 *   <tr><td>{@code cluster.mode.storage.persist}</td><td>timer</td><td>one group commit: write and fsync</td></tr>
 *   <tr><td>{@code cluster.mode.storage.persisted.entries}</td><td>counter</td><td>log entries made durable</td></tr>
 *   <tr><td>{@code cluster.mode.messages.refused}, tag {@code type}</td><td>counter</td><td>Raft messages refused</td></tr>
 * </table>
 *
 * <p>It observes the node ({@link ClusterObserver}, given to the cluster's configuration) from the
 * node's start, and is bound to the registry when Spring Boot's metrics bind their binders;
 * what it observed before counts. The observer calls come on the node's event loop and only
 * add to counters.
 */
public final class ClusterMeters implements MeterBinder, ClusterObserver {

    private final ObjectProvider<Cluster<?, ?>> clusters;
    private final AtomicLong leaderChanges = new AtomicLong();
    private final AtomicLong elections = new AtomicLong();
    private final AtomicLong persistedEntries = new AtomicLong();
    private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;
    private volatile Timer persists;
    // Owned by the node's event loop (the only caller of the observer's methods).
    private NodeId lastLeader;
    private long lastCampaign = -1;

    /** @param clusters the cluster, looked up when a gauge is read (it does not exist yet when this is made) */
    public ClusterMeters(ObjectProvider<Cluster<?, ?>> clusters) {
        this.clusters = clusters;
    }

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        for (ClusterRole role : ClusterRole.values()) {
            Gauge.builder("cluster.mode.role", this, m -> m.status(s -> s.role() == role ? 1 : 0))
                    .tag("role", role.name()).description("1 for this node's role, 0 for the others")
                    .register(meterRegistry);
        }
        gauge(meterRegistry, "cluster.mode.term", "the current Raft term", s -> s.term());
        gauge(meterRegistry, "cluster.mode.commit.index", "the highest log index known committed",
                s -> s.commitIndex());
        gauge(meterRegistry, "cluster.mode.applied.index", "the highest log index applied to the state machine",
                s -> s.appliedIndex());
        gauge(meterRegistry, "cluster.mode.last.index", "the last index of the local log", s -> s.lastIndex());
        Gauge.builder("cluster.mode.members", this, m -> m.cluster(c -> c.members().size()))
                .description("members of the configuration in effect").register(meterRegistry);
        Gauge.builder("cluster.mode.voters", this,
                        m -> m.cluster(c -> c.members().stream().filter(Member::voter).count()))
                .description("voting members of the configuration in effect").register(meterRegistry);
        FunctionCounter.builder("cluster.mode.leader.changes", leaderChanges, AtomicLong::get)
                .description("how often the primary this node knows changed to another node").register(meterRegistry);
        FunctionCounter.builder("cluster.mode.elections.started", elections, AtomicLong::get)
                .description("elections this node stood in as a candidate").register(meterRegistry);
        FunctionCounter.builder("cluster.mode.storage.persisted.entries", persistedEntries, AtomicLong::get)
                .description("log entries made durable").register(meterRegistry);
        persists = Timer.builder("cluster.mode.storage.persist")
                .description("time to append and fsync one batch (a group commit)").register(meterRegistry);
        registry = meterRegistry;
        refused.forEach(this::registerRefused);
    }

    private void gauge(MeterRegistry meterRegistry, String name, String description,
                       ToDoubleFunction<ClusterStatus> value) {
        Gauge.builder(name, this, m -> m.status(value)).description(description).register(meterRegistry);
    }

    private double status(ToDoubleFunction<ClusterStatus> value) {
        return cluster(c -> value.applyAsDouble(c.status()));
    }

    private double cluster(ToDoubleFunction<Cluster<?, ?>> value) {
        Cluster<?, ?> cluster = clusters.getIfAvailable();
        return cluster == null ? Double.NaN : value.applyAsDouble(cluster);
    }

    @Override
    public void persisted(int entries, long nanos) {
        persistedEntries.addAndGet(entries);
        Timer timer = persists;
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void campaigned(long term) {
        if (term > lastCampaign) {
            lastCampaign = term;
            elections.incrementAndGet();
        }
    }

    @Override
    public void leaderChanged(Optional<NodeId> leader, long term) {
        if (leader.isPresent() && !leader.get().equals(lastLeader)) {
            lastLeader = leader.get();
            leaderChanges.incrementAndGet(); // the first primary seen counts too, as etcd's leader_changes_seen
        }
    }

    @Override
    public void messageRefused(NodeId from, String type) {
        refused.computeIfAbsent(type, t -> {
            AtomicLong count = new AtomicLong();
            if (registry != null) {
                registerRefused(t, count);
            }
            return count;
        }).incrementAndGet();
    }

    private void registerRefused(String type, AtomicLong count) {
        FunctionCounter.builder("cluster.mode.messages.refused", count, AtomicLong::get).tag("type", type)
                .description("Raft messages refused: from a non-member, or impossible for an honest peer")
                .register(registry);
    }
}
