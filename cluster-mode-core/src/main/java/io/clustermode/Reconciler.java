package io.clustermode;

import io.clustermode.discovery.FailureLog;
import io.clustermode.discovery.ServiceInstance;
import io.clustermode.membership.BootstrapGuard;
import io.clustermode.membership.MembershipPolicy;
import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Configuration;
import io.clustermode.raft.Role;
import io.clustermode.runtime.NodeStatus;
import io.clustermode.runtime.RaftNode;
import io.clustermode.transport.PeerIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the Raft configuration in step with discovery — suggestions only: the quorum always
 * comes from the committed configuration, never from what this node happens to discover.
 *
 * <p>Every update interval, and at once when discovery signals a change, one round:
 * <ol>
 *   <li>ask discovery for the instances (a failure is logged and changes nothing);</li>
 *   <li>learn each instance's node id by asking it (the transport handshake), and tell the
 *       transport where every known node listens;</li>
 *   <li>a node that belongs to no cluster yet may bootstrap one (see {@link BootstrapGuard});</li>
 *   <li>the primary changes the configuration, <em>one change per round</em>, in this order:
 *       remove a member missing from discovery <em>and</em> unheard-of for the grace period;
 *       add a discovered node as a learner (unless {@code maxNodes} members are reached);
 *       promote a caught-up learner while there are fewer voters than wanted (the
 *       {@code voters} setting, at most the member count, kept odd).</li>
 * </ol>
 * Runs on its own thread; nothing here blocks the Raft event loop.
 */
final class Reconciler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final ClusterConfig config;
    private final NodeId self;
    private final RaftNode<?> node;
    private final BootstrapGuard guard;
    private final Map<NodeId, String> addresses;
    private final ScheduledExecutorService thread;
    private final MembershipPolicy policy;
    private final FailureLog discoveryFailures = new FailureLog(LOG);
    private String lastWaiting;
    private final Set<NodeId> refusedBeyondMax = new HashSet<>();

    Reconciler(ClusterConfig config, NodeId self, RaftNode<?> node, BootstrapGuard guard,
               Map<NodeId, String> addresses) {
        this.config = config;
        this.self = self;
        this.node = node;
        this.guard = guard;
        this.addresses = addresses;
        this.policy = new MembershipPolicy(self, config.voters, config.maxNodes, config.removalGrace.toNanos(),
                config.electionTimeout.toNanos());
        this.thread = Executors.newSingleThreadScheduledExecutor(Cluster.named("cluster-mode-" + self + "-membership"));
    }

    void start() {
        config.discovery.onChange(this::trigger);
        thread.scheduleWithFixedDelay(this::roundSafely, 0, config.updateInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void trigger() {
        soon(0);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void roundSafely() {
        try {
            round();
        } catch (RuntimeException e) {
            LOG.warn("node {}: membership round failed: {}", self, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void round() throws InterruptedException {
        if (!node.status().running()) {
            return;
        }
        Optional<Map<NodeId, PeerIdentity>> discovered = discover();
        Map<NodeId, String> peers = new HashMap<>(addresses);
        peers.remove(self);
        node.transport().updatePeers(peers);
        node.expectPeers(peers.keySet());
        NodeStatus status = node.status();
        if (status.configuration().members().isEmpty() && status.lastIndex() == 0) {
            discovered.ifPresent(this::maybeBootstrap);
            // Until it belongs to a cluster, a node looks again soon (peers are starting too),
            // not a whole update interval later: forming the cluster should take a second, not five.
            long soon = Math.min(config.updateInterval.toMillis(), Math.max(200, config.heartbeatInterval.toMillis() * 5));
            soon(soon);
        } else if (status.role() == Role.LEADER) {
            if (applyOneChange(status, discovered.map(Map::keySet).orElse(null))) {
                trigger(); // more may be due: one change per round, but no need to wait for the next interval
            } else if (policy.promotionWanted(node.status().configuration())) {
                // A learner just added has not answered yet; look again shortly, not a whole
                // update interval later.
                soon(config.heartbeatInterval.toMillis() * 2);
            }
        }
    }

    private void soon(long millis) {
        if (!thread.isShutdown()) {
            try {
                thread.schedule(this::roundSafely, millis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // The cluster is closing: no more rounds.
            }
        }
    }

    /** The nodes discovery names now, by id, with what each said of itself; empty when discovery failed. */
    private Optional<Map<NodeId, PeerIdentity>> discover() throws InterruptedException {
        List<ServiceInstance> instances;
        try {
            instances = config.discovery.instances();
            discoveryFailures.succeeded("node " + self + ": discovery works again");
        } catch (Exception e) {
            discoveryFailures.failed("node " + self + ": discovery failed, keeping the members it has: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return Optional.empty();
        }
        Map<String, CompletableFuture<PeerIdentity>> asked = new TreeMap<>();
        for (ServiceInstance instance : instances) {
            instance.transportAddress(config.portName)
                    .filter(address -> !address.equals(config.advertise))
                    .ifPresent(address -> asked.put(address, node.transport().identify(address)));
        }
        Map<NodeId, PeerIdentity> found = new TreeMap<>();
        long deadline = System.nanoTime() + config.connectionTimeout.toNanos() * 2;
        for (Map.Entry<String, CompletableFuture<PeerIdentity>> answer : asked.entrySet()) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                PeerIdentity identity = answer.getValue().get(left, TimeUnit.NANOSECONDS);
                if (!identity.nodeId().equals(self)) {
                    found.put(identity.nodeId(), identity);
                    addresses.put(identity.nodeId(), answer.getKey());
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                LOG.debug("node {}: {} did not say who it is: {}", self, answer.getKey(), e.toString());
            }
        }
        return Optional.of(found);
    }

    private void maybeBootstrap(Map<NodeId, PeerIdentity> discovered) {
        guard.learn(discovered.keySet());
        Set<NodeId> known = guard.known();
        if (known.size() < config.minNodes) {
            waiting("node " + self + " knows " + known.size() + " of the " + config.minNodes
                    + " nodes needed before a primary is elected (minNodes)");
            return;
        }
        Map<NodeId, BootstrapGuard.Status> answers = new TreeMap<>();
        discovered.forEach((id, identity) -> answers.put(id, BootstrapGuard.Status.decode(identity.status())));
        if (!guard.claim(answers)) {
            waiting("node " + self + " waits to be added to the cluster (" + known.size() + " nodes known)");
            return;
        }
        LOG.info("node {} bootstraps the cluster: it has the lowest id of the {} nodes known", self, known.size());
        try {
            node.bootstrap(Configuration.ofVoters(self)).get(config.electionTimeout.toMillis() * 5,
                    TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            guard.release();
            LOG.warn("node {}: bootstrap failed: {}", self, e.toString());
        }
    }

    private void waiting(String message) {
        if (!message.equals(lastWaiting)) {
            LOG.info(message);
            lastWaiting = message;
        }
    }

    private void refuse(NodeId candidate) {
        if (refusedBeyondMax.add(candidate)) {
            LOG.warn("node {}: refusing {} as a member: the cluster has {} members, the most allowed (maxNodes)",
                    self, candidate, config.maxNodes);
        }
    }

    /** The primary's part: at most one change. Returns whether one was made. */
    private boolean applyOneChange(NodeStatus status, Set<NodeId> discovered) {
        Optional<ConfigChange> change = policy.next(status.configuration(), discovered, System.nanoTime(),
                id -> node.sinceHeardFrom(id).map(d -> OptionalLong.of(d.toNanos())).orElse(OptionalLong.empty()),
                this::refuse);
        if (change.isEmpty()) {
            return false;
        }
        try {
            node.changeConfiguration(change.get()).get(config.electionTimeout.toMillis() * 5, TimeUnit.MILLISECONDS);
            LOG.info("node {} term {}: {} {} (members now {})", self, status.term(),
                    change.get().type().name().toLowerCase().replace('_', ' '), change.get().node(),
                    node.status().configuration());
            return true;
        } catch (Exception e) {
            // Typically: the new primary has not committed in its term yet, or a change is in
            // flight. Try again soon rather than a whole update interval later.
            LOG.debug("node {}: change {} not made now: {}", self, change.get(), e.toString());
            soon(config.heartbeatInterval.toMillis() * 2);
            return false;
        }
    }

}
