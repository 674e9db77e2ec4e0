package io.clustermode;

import io.clustermode.discovery.FailureLog;
import io.clustermode.discovery.ServiceInstance;
import io.clustermode.membership.BootstrapGuard;
import io.clustermode.membership.JoinCandidates;
import io.clustermode.membership.MemberDirectory;
import io.clustermode.membership.MemberOrigins;
import io.clustermode.membership.MembershipPolicy;
import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Configuration;
import io.clustermode.raft.Role;
import io.clustermode.runtime.NodeRuntime;
import io.clustermode.runtime.NodeStatus;
import io.clustermode.runtime.RaftNode;
import io.clustermode.transport.OncePerKey;
import io.clustermode.transport.PeerIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps the Raft configuration in step with discovery and with the nodes that ask to join —
 * suggestions only: the quorum always comes from the committed configuration, never from what
 * this node happens to discover.
 *
 * <p>Every update interval, and at once when discovery signals a change (or, on the primary,
 * when a node asks to join), one round:
 * <ol>
 *   <li>ask discovery for the instances (a failure is logged and changes nothing);</li>
 *   <li>learn each instance's node id by asking it (the transport handshake), and tell the
 *       transport where every known node listens. Members answer with a
 *       {@link MemberDirectory}: the primary they follow and where the members listen. This node
 *       checks each address it did not know by asking it too (an address counts only once the
 *       node found there gives the named id), and while it is not an active member it asks the
 *       primary named there: that is how a node whose discovery reaches any member — a seed
 *       that is a secondary — asks the primary to add it ({@link JoinCandidates});</li>
 *   <li>a node that belongs to no cluster yet may bootstrap one (see {@link BootstrapGuard});</li>
 *   <li>the primary asks each join candidate at the address it gave, and counts it as a
 *       <em>contact</em> when the same id answers there; then it changes the configuration,
 *       <em>one change per round</em>, in this order: remove a member missing from discovery
 *       <em>and</em> unheard-of for the grace period; add a discovered node, else a contact, as a
 *       learner (unless {@code maxNodes} members are reached); promote a caught-up learner while
 *       there are fewer voters than wanted (the {@code voters} setting, at most the member count,
 *       kept odd). See {@link MembershipPolicy}.</li>
 * </ol>
 * Runs on its own thread; nothing here blocks the Raft event loop.
 */
final class Reconciler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /** A hinted address that did not answer with the named id is tried again after this many update intervals. */
    private static final int HINT_RETRY_INTERVALS = 3;

    private final ClusterConfig config;
    private final NodeId self;
    private final RaftNode<?> node;
    private final BootstrapGuard guard;
    private final Map<NodeId, String> addresses;
    private final JoinCandidates candidates;
    private final MemberOrigins origins;
    private final ScheduledExecutorService thread;
    private final NodeRuntime runtime;
    private final MembershipPolicy policy;
    private final FailureLog discoveryFailures = new FailureLog(LOG);
    private final OncePerKey hintAttempts;
    /** An extra round is queued for a join candidate; more candidates meanwhile need no other. */
    private final AtomicBoolean candidateRoundQueued = new AtomicBoolean();
    private String lastWaiting;
    /** A node refused for maxNodes is logged once an hour at most (and memory stays bounded: contacts are many). */
    private final OncePerKey refusedBeyondMax = new OncePerKey(java.time.Duration.ofHours(1));
    /** The primary the directories named last round, and where: asked first next round while this node is out. */
    private MemberDirectory.Entry primaryNamed;
    /** The primary that said it is full, once told (logged once per primary). */
    private NodeId toldFullBy;

    Reconciler(ClusterConfig config, NodeId self, RaftNode<?> node, BootstrapGuard guard,
               Map<NodeId, String> addresses, JoinCandidates candidates, MemberOrigins origins,
               NodeRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
        this.self = self;
        this.node = node;
        this.guard = guard;
        this.addresses = addresses;
        this.candidates = candidates;
        this.origins = origins;
        this.policy = new MembershipPolicy(self, config.voters, config.maxNodes, config.removalGrace.toNanos(),
                config.electionTimeout.toNanos());
        this.hintAttempts = new OncePerKey(config.updateInterval.multipliedBy(HINT_RETRY_INTERVALS));
        this.thread = runtime.newScheduler("cluster-mode-" + self + "-membership");
    }

    void start() {
        config.discovery.onChange(this::trigger);
        thread.scheduleWithFixedDelay(this::roundSafely, 0, config.updateInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void trigger() {
        soon(0);
    }

    /** A node asked to join (a transport thread): the primary looks at once, one extra round for many. */
    void candidateArrived() {
        if (candidateRoundQueued.compareAndSet(false, true)) {
            soon(0);
        }
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
        candidateRoundQueued.set(false);
        Findings found = identify(node.status());
        tellTransport();
        NodeStatus status = node.status();
        if (status.configuration().members().isEmpty() && status.lastIndex() == 0) {
            if (found.discovered() != null) {
                maybeBootstrap(found.answers());
            }
            // Until it belongs to a cluster, a node looks again soon (peers are starting too),
            // not a whole update interval later: forming the cluster should take a second, not five.
            long soon = Math.min(config.updateInterval.toMillis(), Math.max(200, config.heartbeatInterval.toMillis() * 5));
            soon(soon);
        } else if (status.role() == Role.LEADER) {
            if (applyOneChange(status, found)) {
                trigger(); // more may be due: one change per round, but no need to wait for the next interval
            } else if (policy.promotionWanted(node.status().configuration())) {
                // A learner just added has not answered yet; look again shortly, not a whole
                // update interval later.
                soon(config.heartbeatInterval.toMillis() * 2);
            }
        }
    }

    /** Tells the transport, and the node's filter of senders, every node whose address this node knows. */
    private void tellTransport() {
        Map<NodeId, String> peers = new HashMap<>(addresses);
        peers.remove(self);
        node.transport().updatePeers(peers);
        node.expectPeers(peers.keySet());
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

    /**
     * What one round of asking found.
     *
     * @param discovered the nodes discovery names now, by id; null when discovery failed
     * @param contacts   join candidates found at the address they gave (only the primary asks),
     *                   with that address: it enters the address book only once the candidate is
     *                   added, so a candidate refused (maxNodes) costs no connection
     * @param answers    every node that answered this round (discovered or hinted), with what it
     *                   said of itself: what a bootstrap decides on
     */
    private record Findings(Set<NodeId> discovered, Map<NodeId, String> contacts, Map<NodeId, PeerIdentity> answers) {
    }

    /** Why an address is asked. */
    private enum Source {
        /** Discovery names it: whoever answers is a discovered node. */
        DISCOVERY,
        /** A join candidate gave it: it counts as a contact only if that candidate answers. */
        CANDIDATE,
        /** A member's directory named it: it is this node's address book's only if that node answers. */
        HINT
    }

    /** Why an address is asked, and who must answer for it to count; null when anyone may (discovery). */
    private record Claim(Source source, NodeId expected) {
    }

    /**
     * One address asked this round, once, whatever the number of claims on it: a candidate that
     * gives another node's address must not keep that node from being checked.
     */
    private record Question(String address, List<Claim> claims, CompletableFuture<PeerIdentity> answer) {
    }

    /** A directory, and who told it. */
    private record Heard(NodeId from, MemberDirectory directory) {
    }

    /**
     * Asks every instance discovery names, every join candidate (on the primary), and the primary
     * (while this node is out); then every address the answers' directories name that this node
     * did not know.
     */
    private Findings identify(NodeStatus status) throws InterruptedException {
        boolean leader = status.role() == Role.LEADER;
        boolean out = !activeMember(status);
        Map<String, List<Claim>> first = new TreeMap<>();
        Optional<List<ServiceInstance>> instances = lookUp();
        Set<NodeId> discovered = instances.isPresent() ? new TreeSet<>() : null;
        instances.ifPresent(list -> list.forEach(instance -> instance.transportAddress(config.portName)
                .filter(address -> !address.equals(config.advertise))
                .ifPresent(address -> claim(first, address, Source.DISCOVERY, null))));
        if (leader) {
            candidates.current(runtime.nanoTime()).forEach((id, address) -> {
                if (!status.configuration().contains(id)) {
                    claim(first, address, Source.CANDIDATE, id);
                }
            });
        }
        MemberDirectory.Entry primary = primaryNamed;
        if (out && primary != null) {
            claim(first, primary.address(), Source.HINT, primary.id());
        }
        Map<NodeId, PeerIdentity> answers = new TreeMap<>();
        Map<NodeId, String> contacts = new TreeMap<>();
        List<Heard> heard = new ArrayList<>();
        collect(ask(first), answers, discovered, contacts, heard);
        Map<String, List<Claim>> second = new TreeMap<>();
        hints(heard, out).forEach((id, address) -> {
            if (!first.containsKey(address)) {
                claim(second, address, Source.HINT, id);
            }
        });
        collect(ask(second), answers, discovered, contacts, new ArrayList<>());
        return new Findings(discovered, contacts, answers);
    }

    private static void claim(Map<String, List<Claim>> questions, String address, Source source, NodeId expected) {
        questions.computeIfAbsent(address, a -> new ArrayList<>()).add(new Claim(source, expected));
    }

    /** Whether this node is a member that follows a primary, or the primary: then it asks no one to add it. */
    private boolean activeMember(NodeStatus status) {
        return status.configuration().contains(self)
                && (status.role() == Role.LEADER || status.role() == Role.FOLLOWER && status.leader() != null);
    }

    private List<Question> ask(Map<String, List<Claim>> claims) {
        List<Question> questions = new ArrayList<>();
        claims.forEach((address, on) -> questions.add(new Question(address, on, node.transport().identify(address))));
        return questions;
    }

    /** Waits for the answers (at most twice the connection timeout in all), and files each by its claims. */
    private void collect(List<Question> asked, Map<NodeId, PeerIdentity> answers, Set<NodeId> discovered,
                         Map<NodeId, String> contacts, List<Heard> heard) throws InterruptedException {
        long deadline = runtime.nanoTime() + config.connectionTimeout.toNanos() * 2;
        for (Question question : asked) {
            PeerIdentity identity;
            try {
                long left = Math.max(1, deadline - runtime.nanoTime());
                identity = runtime.await(question.answer(), left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                LOG.debug("node {}: {} did not say who it is: {}", self, question.address(), e.toString());
                continue;
            }
            NodeId id = identity.nodeId();
            if (id.equals(self)) {
                continue;
            }
            boolean counts = false;
            for (Claim claim : question.claims()) {
                if (claim.source() == Source.DISCOVERY) {
                    counts = true;
                    if (discovered != null) {
                        discovered.add(id);
                    }
                } else if (claim.expected().equals(id) && claim.source() == Source.CANDIDATE) {
                    contacts.put(id, question.address());
                } else if (claim.expected().equals(id)) {
                    counts = true;
                } else {
                    // A candidate's or a directory's word that did not check out.
                    LOG.debug("node {}: {} was said to listen at {}, but {} answers there", self, claim.expected(),
                            question.address(), id);
                    if (claim.source() == Source.CANDIDATE) {
                        candidates.forget(claim.expected());
                    }
                }
            }
            if (!counts) {
                continue;
            }
            addresses.put(id, question.address());
            answers.put(id, identity);
            MemberDirectory directory = MemberDirectory.readFrom(identity.status());
            origins.learn(id, directory);
            heard.add(new Heard(id, directory));
            if (id.equals(directory.primary())) {
                noteFull(id, directory);
            }
        }
    }

    /**
     * The addresses the directories name that this node does not know yet (or knows elsewhere),
     * to check by asking; and while this node is out, the primary they name, which is asked
     * every round (asking it is asking to be added). A hint that did not check out is tried
     * again only after a few update intervals.
     */
    private Map<NodeId, String> hints(List<Heard> heard, boolean out) {
        Map<NodeId, String> hints = new TreeMap<>();
        MemberDirectory.Entry primary = null;
        boolean ownWord = false;
        for (Heard told : heard) {
            MemberDirectory directory = told.directory();
            Optional<String> at = directory.primaryAddress();
            // The primary's own word first: during an election two members may name two primaries.
            boolean own = told.from().equals(directory.primary());
            if (at.isPresent() && (primary == null || own && !ownWord)) {
                primary = new MemberDirectory.Entry(directory.primary(), at.get(), MemberDirectory.Origin.UNKNOWN);
                ownWord = own;
            }
            for (MemberDirectory.Entry entry : directory.entries()) {
                if (!entry.id().equals(self) && !entry.address().equals(addresses.get(entry.id()))
                        && hints.size() < MemberDirectory.MAX_ENTRIES
                        && hintAttempts.shouldAct(entry.id() + "@" + entry.address())) {
                    hints.put(entry.id(), entry.address());
                }
            }
        }
        primaryNamed = primary != null && !primary.id().equals(self) ? primary : null;
        if (out && primaryNamed != null) {
            hints.put(primaryNamed.id(), primaryNamed.address());
        }
        return hints;
    }

    /** The primary says it is full: a node that is out says so once, instead of waiting in silence. */
    private void noteFull(NodeId primary, MemberDirectory directory) {
        NodeStatus status = node.status();
        if (directory.full() && !status.configuration().contains(self)) {
            if (!primary.equals(toldFullBy)) {
                toldFullBy = primary;
                LOG.warn("node {} is not added to the cluster: its primary {} has the most members it allows "
                        + "(maxNodes); it keeps asking", self, primary);
            }
        } else if (primary.equals(toldFullBy)) {
            toldFullBy = null;
        }
    }

    /** The instances discovery names now; empty when it failed. */
    private Optional<List<ServiceInstance>> lookUp() {
        try {
            List<ServiceInstance> instances = config.discovery.instances();
            discoveryFailures.succeeded("node " + self + ": discovery works again");
            return Optional.of(instances);
        } catch (Exception e) {
            discoveryFailures.failed("node " + self + ": discovery failed, keeping the members it has: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return Optional.empty();
        }
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
            MemberDirectory.Entry primary = primaryNamed;
            waiting("node " + self + " waits to be added to the cluster (" + known.size() + " nodes known"
                    + (primary == null ? ")" : "; it asks the primary " + primary.id() + " at " + primary.address()
                    + ")"));
            return;
        }
        LOG.info("node {} bootstraps the cluster: it has the lowest id of the {} nodes known", self, known.size());
        try {
            runtime.await(node.bootstrap(Configuration.ofVoters(self)), config.electionTimeout.toMillis() * 5,
                    TimeUnit.MILLISECONDS);
            origins.record(self, MemberDirectory.Origin.BOOTSTRAP);
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
        if (refusedBeyondMax.shouldAct(candidate.value())) {
            LOG.warn("node {}: refusing {} as a member: the cluster has {} members, the most allowed (maxNodes)",
                    self, candidate, config.maxNodes);
        }
    }

    /** The primary's part: at most one change. Returns whether one was made. */
    private boolean applyOneChange(NodeStatus status, Findings found) {
        Optional<ConfigChange> change = policy.next(status.configuration(), found.discovered(),
                found.contacts().keySet(), runtime.nanoTime(),
                id -> node.sinceHeardFrom(id).map(d -> OptionalLong.of(d.toNanos())).orElse(OptionalLong.empty()),
                this::refuse);
        if (change.isEmpty()) {
            return false;
        }
        NodeId subject = change.get().node();
        boolean adds = change.get().type() == ConfigChange.Type.ADD_LEARNER;
        boolean discovered = found.discovered() != null && found.discovered().contains(subject);
        String contactAddress = found.contacts().get(subject);
        String why = !adds ? "" : discovered ? " (discovered)"
                : " (a contact: it asked through its own discovery, and answers at " + contactAddress + ")";
        try {
            runtime.await(node.changeConfiguration(change.get()), config.electionTimeout.toMillis() * 5,
                    TimeUnit.MILLISECONDS);
            if (adds) {
                origins.record(subject, discovered ? MemberDirectory.Origin.DISCOVERY : MemberDirectory.Origin.CONTACT);
                candidates.forget(subject);
                if (!discovered && contactAddress != null) {
                    addresses.put(subject, contactAddress);
                    tellTransport(); // now: the new learner's first appends should not wait for a round
                }
            }
            LOG.info("node {} term {}: {} {}{} (members now {})", self, status.term(),
                    change.get().type().name().toLowerCase().replace('_', ' '), subject, why,
                    // Applied, but the node's status may not show it yet (it follows at the end of its turn).
                    status.configuration().apply(change.get()));
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
