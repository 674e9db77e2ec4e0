package io.clustermode.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clustermode.Cluster;
import io.clustermode.ClusterListener;
import io.clustermode.Member;
import io.clustermode.NodeId;
import io.clustermode.ReplicationProgress;
import io.clustermode.RoleChange;
import io.clustermode.cli.http.BearerToken;
import io.clustermode.cli.http.ForwardingClient;
import io.clustermode.cli.http.Json;
import io.clustermode.cli.web.EventHub;
import io.clustermode.kv.KvStore;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Turns what a node hears of its cluster into the events of {@code GET /cluster/events}
 * ({@link EventHub}): {@code role} (this node's), {@code term}, {@code primary} (with the reason,
 * and, after a time without one, why the old one was lost) and {@code membership} (who joined,
 * left, was promoted or demoted, and the members now), each as it happens; and, while anyone
 * listens, {@code progress} once a second: each member's match index and lag, measured on the
 * primary and relayed by a secondary, which asks the primary's {@code GET /cluster/progress}.
 * Another kind of event (partition owners, say) is one {@link EventHub#publish} call.
 *
 * <p>The listener's calls come on the cluster's notification thread, one at a time; progress
 * is gathered on the HTTP event loops, one round at a time.
 */
final class ClusterEvents implements ClusterListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);
    /** The path a secondary asks the primary for progress. */
    static final String PROGRESS_PATH = "/cluster/progress";

    private final Cluster<KvStore.Result, NodeState> cluster;
    private final NodeState state;
    private final EventHub hub;
    private final ForwardingClient client;
    private final BearerToken token;
    private final ScheduledFuture<?> ticker;
    private final AtomicBoolean gathering = new AtomicBoolean();
    private RoleChange last;
    private Map<String, Member> members = new TreeMap<>();
    /** Why the last primary was lost, until a new one is known. */
    private String lostBecause;

    ClusterEvents(Cluster<KvStore.Result, NodeState> cluster, NodeState state, EventHub hub, ForwardingClient client,
                  BearerToken token, ScheduledExecutorService scheduler, Duration progressInterval) {
        this.cluster = cluster;
        this.state = state;
        this.hub = hub;
        this.client = client;
        this.token = token;
        this.last = new RoleChange(cluster.role(), cluster.primary().map(Member::id), cluster.status().term(),
                "the node's state when the event stream began");
        cluster.members().forEach(m -> members.put(m.id().value(), m));
        long millis = progressInterval.toMillis();
        this.ticker = scheduler.scheduleWithFixedDelay(this::progressRound, millis, millis, TimeUnit.MILLISECONDS);
        cluster.addListener(this);
        cluster.partitionGroups().values().forEach(group -> group.addListener(new io.clustermode.PartitionListener() {
            @Override
            public void onOwnerChanged(int partition, java.util.Optional<io.clustermode.NodeId> owner, long epoch) {
                hub.publish("partition", event(System.currentTimeMillis(), "group", group.name(), "partition",
                        partition, "owner", owner.map(io.clustermode.NodeId::value).orElse(null), "epoch", epoch));
            }
        }));
    }

    @Override
    public synchronized void onRoleChange(RoleChange change) {
        RoleChange before = last;
        last = change;
        long at = System.currentTimeMillis();
        if (change.term() != before.term()) {
            hub.publish("term", event(at, "term", change.term(), "previous", before.term(), "reason", change.reason()));
        }
        Optional<String> primary = change.primary().map(NodeId::value);
        Optional<String> previous = before.primary().map(NodeId::value);
        if (!primary.equals(previous)) {
            if (primary.isEmpty()) {
                lostBecause = change.reason();
            }
            Map<String, Object> data = event(at, "primary", primary.orElse(null), "previous", previous.orElse(null),
                    "term", change.term(), "reason", change.reason());
            if (primary.isPresent() && lostBecause != null) {
                data.put("cause", lostBecause);
                lostBecause = null;
            }
            hub.publish("primary", data);
        }
        if (change.role() != before.role()) {
            hub.publish("role", event(at, "nodeId", cluster.id().value(), "role", change.role().name(),
                    "previous", before.role().name(), "term", change.term(), "reason", change.reason()));
        }
    }

    @Override
    public synchronized void onMembershipChange(Set<Member> now) {
        Map<String, Member> after = new TreeMap<>();
        now.forEach(m -> after.put(m.id().value(), m));
        List<String> joined = new ArrayList<>();
        List<String> left = new ArrayList<>();
        List<String> promoted = new ArrayList<>();
        List<String> demoted = new ArrayList<>();
        after.forEach((id, m) -> {
            Member was = members.get(id);
            if (was == null) {
                joined.add(id);
            } else if (m.voter() && !was.voter()) {
                promoted.add(id);
            } else if (!m.voter() && was.voter()) {
                demoted.add(id);
            }
        });
        members.keySet().stream().filter(id -> !after.containsKey(id)).forEach(left::add);
        members = after;
        if (joined.isEmpty() && left.isEmpty() && promoted.isEmpty() && demoted.isEmpty()) {
            return;
        }
        Map<String, Object> data = event(System.currentTimeMillis(), "joined", joined, "left", left,
                "promoted", promoted, "demoted", demoted);
        data.put("members", HttpApi.memberInfos(now, cluster, state));
        hub.publish("membership", data);
    }

    /** The picture a new stream starts with: {@code /cluster/info}'s document, and the failover budget. */
    Supplier<Object> status(Supplier<ClusterInfo> info) {
        return () -> {
            ObjectNode document = (ObjectNode) Json.tree(info.get());
            document.put("failoverBudgetMs", cluster.config().failoverBudget().toMillis());
            document.put("electionTimeoutMs", cluster.config().electionTimeout().toMillis());
            document.put("heartbeatIntervalMs", cluster.config().heartbeatInterval().toMillis());
            return document;
        };
    }

    /** The document of {@code GET /cluster/progress} on the primary; empty on any other node. */
    CompletableFuture<Optional<Map<String, Object>>> progress() {
        return cluster.replicationProgress().thenApply(found -> found.map(ClusterEvents::document));
    }

    private static Map<String, Object> document(ReplicationProgress progress) {
        List<Map<String, Object>> members = new ArrayList<>();
        progress.matchIndexes().forEach((id, match) -> {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("nodeId", id.value());
            member.put("matchIndex", match);
            member.put("lag", progress.lag(id));
            java.time.Duration silent = progress.silence().get(id);
            member.put("silentMs", silent == null ? null : silent.toMillis()); // null: the primary, or never heard
            members.add(member);
        });
        return event(System.currentTimeMillis(), "primary", progress.primary().value(), "term", progress.term(),
                "lastIndex", progress.lastIndex(), "commitIndex", progress.commitIndex(), "members", members);
    }

    /** One round of progress, when anyone listens and the last round is over. */
    private void progressRound() {
        if (hub.streams() == 0 || !gathering.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<?> round;
        if (cluster.isPrimary()) {
            round = progress().thenAccept(document -> document.ifPresent(d -> hub.publishTransient("progress", d)));
        } else {
            round = relay();
        }
        round.whenComplete((done, error) -> {
            gathering.set(false);
            if (error != null) {
                LOG.debug("node {}: no progress this round: {}", cluster.id(), error.toString());
            }
        });
    }

    /** A secondary asks the primary for its figures and passes them on, marked as relayed. */
    private CompletableFuture<?> relay() {
        Optional<String> http = cluster.primary().flatMap(p -> state.httpAddress(p.id().value()));
        if (http.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(HttpApi.FORWARDED_BY, cluster.id().value());
        if (token != null) {
            headers.put(HttpHeaderNames.AUTHORIZATION.toString(), token.authorization());
        }
        return client.send(http.get(), "GET", PROGRESS_PATH, headers, new byte[0], Duration.ofSeconds(1))
                .thenAccept(outcome -> {
                    if (outcome instanceof ForwardingClient.Outcome.Answered answered && answered.status() == 200) {
                        ObjectNode document = (ObjectNode) Json.tree(Json.read(
                                new String(answered.body(), StandardCharsets.UTF_8), Map.class));
                        document.put("relayedBy", cluster.id().value());
                        hub.publishTransient("progress", document);
                    }
                });
    }

    private static Map<String, Object> event(long at, Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("at", at);
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((String) pairs[i], pairs[i + 1]);
        }
        return out;
    }

    @Override
    public void close() {
        ticker.cancel(false);
        cluster.removeListener(this);
    }
}
