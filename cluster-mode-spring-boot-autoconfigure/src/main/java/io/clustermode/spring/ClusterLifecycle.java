package io.clustermode.spring;

import io.clustermode.Cluster;
import io.clustermode.ClusterListener;
import io.clustermode.ClusterRole;
import io.clustermode.ClusterStatus;
import io.clustermode.Member;
import io.clustermode.NodeId;
import io.clustermode.NotPrimaryException;
import io.clustermode.RoleChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * Ties a {@link Cluster} to the application context: from the context's start it tells the
 * application this node's primacy — {@link PrimaryGrantedEvent}, {@link PrimaryRevokedEvent},
 * {@link MembershipChangedEvent}, and whether {@link PrimaryOnly @PrimaryOnly} methods run — and
 * when the context closes it leaves the cluster gracefully, before the web server and the other
 * beans stop.
 *
 * <h2>Order at shutdown</h2>
 * Its {@linkplain #getPhase() phase} is {@link #PHASE}, {@code Integer.MAX_VALUE}: a
 * {@link SmartLifecycle} of a higher phase stops earlier, so this one stops in the very first
 * group — before Spring Boot's web server begins its graceful shutdown (phase
 * {@code Integer.MAX_VALUE - 1024}) and stops (a phase below that), and before any bean is
 * destroyed (which comes after every lifecycle has stopped). Stopping then:
 * <ol>
 *   <li>no {@code @PrimaryOnly} call runs any more, and runs in progress are interrupted;</li>
 *   <li>it waits (up to 10 s) for those runs to end, and publishes the {@link PrimaryRevokedEvent}
 *       when this node was primary;</li>
 *   <li>{@link Cluster#close()}: a primary hands primacy to an up-to-date secondary and waits until
 *       it has taken over (a round trip, rather than the others' election timeout), then the
 *       node leaves.</li>
 * </ol>
 * So the application's primary-only work has stopped here before another node's begins, and
 * the web server still answers (health, the other nodes' forwarded requests) while primacy
 * moves. It also starts last, after the web server: events begin once the application is up.
 * Stopping is final: the cluster cannot be started again in the same context.
 *
 * <h2>Events</h2>
 * They come from the cluster's listener calls, which are ordered, and are published in that
 * order under one lock; see {@link ClusterEvent}. The listener is added as soon as the cluster
 * exists ({@link #attach}), so what happens while the context is still starting is not missed:
 * it is held back and told at {@link #start()}, as the state it left (a node that became primary
 * during start-up hears one {@link PrimaryGrantedEvent}). After each grant's event, the
 * {@code @Scheduled} {@code @PrimaryOnly} methods that run on grant are handed to their scheduler
 * ({@link PrimaryOnlyScheduling}).
 */
public final class ClusterLifecycle implements SmartLifecycle {

    /**
     * The phase: {@code Integer.MAX_VALUE}, the highest, so the cluster is left before every
     * other lifecycle stops — the web server's graceful shutdown is {@code Integer.MAX_VALUE - 1024}.
     */
    public static final int PHASE = Integer.MAX_VALUE;

    /** How long shutdown waits for interrupted {@code @PrimaryOnly} runs to end before handing over. */
    static final Duration RUNS_GRACE = Duration.ofSeconds(10);


    private static final Logger LOG = LoggerFactory.getLogger(ClusterLifecycle.class);

    private static final ClusterStatus NO_CLUSTER = new ClusterStatus(NodeId.of("none"), ClusterRole.INACTIVE, 0,
            Optional.empty(), false, false, 0, 0, 0, false);

    private final ApplicationEventPublisher publisher;
    private final ObjectProvider<Cluster<?, ?>> clusters;
    private final PrimaryRuns runs = new PrimaryRuns(this::status);
    private final Listener listener = new Listener();
    private final Object publishLock = new Object();
    /** Told the term after each grant's event: {@link PrimaryOnlyScheduling}'s runs on grant. */
    private final List<LongConsumer> afterGrant = new CopyOnWriteArrayList<>();
    private volatile Cluster<?, ?> cluster;
    private volatile boolean running;

    // Guarded by publishLock.
    private RoleChange lastRole;
    private Set<Member> publishedMembers = Set.of();
    private long grantedTerm = PrimaryRuns.NONE;
    private boolean publishing;
    private boolean stopped;

    /**
     * @param publisher where the events go
     * @param clusters  the cluster, for when the application made its own {@code Cluster} bean
     *                  (the auto-configuration's {@link #attach attaches} its own as it creates it)
     */
    public ClusterLifecycle(ApplicationEventPublisher publisher, ObjectProvider<Cluster<?, ?>> clusters) {
        this.publisher = publisher;
        this.clusters = clusters;
    }

    /**
     * Starts listening to {@code started}, a cluster just started: call it at once, so that no
     * change of role is missed. Later calls with the same cluster do nothing.
     *
     * @throws IllegalStateException when another cluster is attached already
     */
    public void attach(Cluster<?, ?> started) {
        synchronized (publishLock) {
            if (cluster == started) {
                return;
            }
            if (cluster != null) {
                throw new IllegalStateException("cluster-mode: one cluster per application context; " + cluster.id()
                        + " is attached already, " + started.id() + " cannot be");
            }
            cluster = started;
        }
        started.addListener(listener);
        // A node has no role this early; should it have one, the announcement came before the
        // listener and is taken from the node's state instead.
        synchronized (publishLock) {
            if (lastRole == null && started.role() != ClusterRole.INACTIVE) {
                ClusterStatus now = started.status();
                onRole(new RoleChange(now.role(), now.primary(), now.term(), "the state when attached"));
            }
        }
    }

    /** The cluster attached; null before. */
    Cluster<?, ?> cluster() {
        return cluster;
    }

    PrimaryRuns runs() {
        return runs;
    }

    /**
     * Calls {@code hook} with the term after every grant, once its {@link PrimaryGrantedEvent} was
     * published, on the same thread and under the same lock as the events: it must not block.
     */
    void afterGrant(LongConsumer hook) {
        afterGrant.add(hook);
    }

    private ClusterStatus status() {
        Cluster<?, ?> now = cluster;
        return now == null ? NO_CLUSTER : now.status();
    }

    /** Begins telling the application: the state reached so far first, then every change. */
    @Override
    public void start() {
        if (cluster == null) {
            attach(clusters.getObject());
        }
        synchronized (publishLock) {
            if (stopped) {
                LOG.warn("cluster-mode: node {} left its cluster when the context stopped; it does not start again",
                        cluster.id());
                return;
            }
            publishing = true;
            if (lastRole != null && lastRole.role() == ClusterRole.PRIMARY) {
                grant(lastRole.term());
            }
            publishMembers(cluster.members()); // the state now: what was told before may be older
        }
        running = true;
    }

    /** Revokes primacy from the application, waits for its primary-only runs to end, then leaves the cluster. */
    @Override
    public void stop() {
        runs.close(); // at once, also while an event is being published: runs stop now
        synchronized (publishLock) {
            stopped = true;
            if (publishing) {
                awaitRuns();
                if (grantedTerm != PrimaryRuns.NONE) {
                    revoke(Optional.empty(), "the application context is closing");
                }
                publishing = false;
            }
        }
        Cluster<?, ?> leaving = cluster;
        if (leaving != null) {
            leaving.close(); // a primary hands over first
        }
        running = false;
    }

    private void awaitRuns() {
        try {
            List<Thread> busy = runs.awaitIdle(RUNS_GRACE);
            if (!busy.isEmpty()) {
                LOG.warn("cluster-mode: @PrimaryOnly runs on {} did not end within {} s of their interruption;"
                        + " primacy is handed over while they go on", busy, RUNS_GRACE.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** {@link #PHASE}: stops first, before the web server; see the class comment. */
    @Override
    public int getPhase() {
        return PHASE;
    }

    // ------------------------------------------------------------------ handing over at will

    /**
     * Hands primacy to another node the way shutdown does: the application's primacy is revoked
     * first ({@code @PrimaryOnly} runs interrupted and awaited, {@link PrimaryRevokedEvent}
     * published), and only then is the successor asked to take over — so the successor's
     * primary-only work never overlaps this node's. Should no one take over, and this node still be
     * the primary of the same term, primacy is granted to the application again (a new
     * {@link PrimaryGrantedEvent} of that term).
     *
     * @param successor the voter to hand to; null for the up-to-date secondary heard from most recently
     * @return completes with the new primary's id once this node follows it; fails as
     *         {@link Cluster#transferLeadership()} does ({@link NotPrimaryException} when this node is
     *         not the primary)
     * @throws IllegalArgumentException when {@code successor} is not another voter of the cluster
     */
    public CompletableFuture<NodeId> transferPrimacy(NodeId successor) {
        Cluster<?, ?> node = cluster;
        if (node == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("cluster-mode: no cluster yet"));
        }
        if (successor != null && (successor.equals(node.id())
                || node.members().stream().noneMatch(m -> m.voter() && m.id().equals(successor)))) {
            throw new IllegalArgumentException(successor + " is not another voter of the cluster");
        }
        if (!node.isPrimary()) {
            return CompletableFuture.failedFuture(new NotPrimaryException(node.id(),
                    node.primary().map(Member::id).orElse(null)));
        }
        long term;
        synchronized (publishLock) {
            term = grantedTerm;
            if (term != PrimaryRuns.NONE) {
                runs.revoke();
                awaitRuns();
                revoke(Optional.empty(), "handing primacy over");
            }
        }
        CompletableFuture<NodeId> handOver = successor == null ? node.transferLeadership()
                : node.transferLeadership(successor);
        if (term == PrimaryRuns.NONE) {
            return handOver;
        }
        // Not on the thread that completes the hand-over (the node's event loop, or a timer):
        // granting again publishes an event, and listeners may take their time.
        return handOver.whenCompleteAsync((primary, failure) -> {
            if (failure != null) {
                grantAgainIfStillPrimary(term);
            }
        });
    }

    private void grantAgainIfStillPrimary(long term) {
        synchronized (publishLock) {
            ClusterStatus now = status();
            if (publishing && grantedTerm == PrimaryRuns.NONE && lastRole != null
                    && lastRole.role() == ClusterRole.PRIMARY && lastRole.term() == term
                    && now.role() == ClusterRole.PRIMARY && now.term() == term) {
                grant(term);
            }
        }
    }

    // ------------------------------------------------------------------ from the cluster's listener

    private void onRole(RoleChange change) {
        synchronized (publishLock) {
            lastRole = change;
            if (!publishing) {
                return;
            }
            if (change.role() == ClusterRole.PRIMARY) {
                if (grantedTerm == change.term()) {
                    return;
                }
                if (grantedTerm != PrimaryRuns.NONE) {
                    revoke(change.primary(), "primary again in a later term");
                }
                grant(change.term());
            } else if (grantedTerm != PrimaryRuns.NONE) {
                revoke(change.primary(), change.reason());
            }
        }
    }

    private void onMembers(Set<Member> told) {
        synchronized (publishLock) {
            if (publishing) {
                publishMembers(told);
            }
        }
    }

    private void grant(long term) {
        runs.grant(term);
        grantedTerm = term;
        LOG.info("cluster-mode: node {} is the primary in term {}: @PrimaryOnly methods run here",
                cluster.id(), term);
        publish(new PrimaryGrantedEvent(cluster, term));
        for (LongConsumer hook : afterGrant) {
            try {
                hook.accept(term);
            } catch (RuntimeException e) {
                LOG.warn("cluster-mode: node {}: running @PrimaryOnly jobs at the grant of term {} failed: {}",
                        cluster.id(), term, e.toString());
            }
        }
    }

    private void revoke(Optional<NodeId> newPrimary, String reason) {
        runs.revoke();
        long term = grantedTerm;
        grantedTerm = PrimaryRuns.NONE;
        LOG.info("cluster-mode: node {} is no longer the primary of term {} ({}): @PrimaryOnly methods stop",
                cluster.id(), term, reason);
        publish(new PrimaryRevokedEvent(cluster, term, newPrimary, reason));
    }

    private void publishMembers(Set<Member> members) {
        // a node that belongs to a cluster is a member of it: an empty set is "not joined yet", no news
        if (!members.isEmpty() && !members.equals(publishedMembers)) {
            publishedMembers = members;
            publish(new MembershipChangedEvent(cluster, members));
        }
    }

    private void publish(ApplicationEvent event) {
        try {
            publisher.publishEvent(event);
        } catch (RuntimeException e) {
            // One failing listener must not cost the others their events, nor the order.
            LOG.warn("cluster-mode: a listener of {} failed", event, e);
        }
    }

    /** The cluster's listener; its calls come one at a time, in order, on the cluster's notification thread. */
    private final class Listener implements ClusterListener {
        @Override
        public void onRoleChange(RoleChange change) {
            onRole(change);
        }

        @Override
        public void onMembershipChange(Set<Member> members) {
            onMembers(members);
        }

        @Override
        public void onFailure(Throwable cause) {
            // The role change to INACTIVE that came first revoked primacy; the node has logged why.
            LOG.error("cluster-mode: node {} has left its cluster and cannot go on: {}", cluster.id(),
                    cause.toString());
        }
    }
}
