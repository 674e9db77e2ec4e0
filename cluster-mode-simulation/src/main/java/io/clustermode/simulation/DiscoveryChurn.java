package io.clustermode.simulation;

import io.clustermode.membership.BootstrapGuard;
import io.clustermode.membership.MembershipPolicy;
import io.clustermode.raft.ConfigChange;
import io.clustermode.NodeId;
import io.clustermode.raft.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The membership layer in the simulation: nodes start without a cluster, each with its own,
 * changing view of discovery, and run the real bootstrap guard and membership rules
 * ({@link BootstrapGuard}, {@link MembershipPolicy}) every round. A bootstrap that split the
 * cluster would show up as two leaders in one term; a membership rule that broke quorums, as
 * any other invariant.
 */
final class DiscoveryChurn {

    /** Time units between two membership rounds of a node. */
    static final int ROUND = 3 * SimCluster.TICK;

    private final SimCluster cluster;
    private final Random random;
    private final int minNodes;
    private final Map<NodeId, Set<NodeId>> views = new TreeMap<>();

    DiscoveryChurn(SimCluster cluster, int minNodes) {
        this.cluster = cluster;
        this.random = cluster.random;
        this.minNodes = minNodes;
    }

    /** Gives {@code node} a random view: itself and each other node with a fair chance. */
    void shuffleView(SimNode node) {
        Set<NodeId> view = new TreeSet<>();
        view.add(node.id);
        for (SimNode other : cluster.nodes()) {
            if (random.nextInt(4) != 0) {
                view.add(other.id);
            }
        }
        views.put(node.id, view);
    }

    /** Everyone discovers everyone (the liveness phase). */
    void showEveryone() {
        Set<NodeId> all = new TreeSet<>();
        cluster.nodes().forEach(n -> all.add(n.id));
        cluster.nodes().forEach(n -> views.put(n.id, new TreeSet<>(all)));
    }

    /** One time unit: nodes whose round it is reconcile. */
    void tick() {
        // cluster.nodes() is a copy already (a round may add a node); no copy of our own per unit
        long phase = cluster.now % ROUND;
        List<SimNode> nodes = cluster.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            SimNode node = nodes.get(i);
            if (node.tickPhase == phase && node.isUp()) {
                round(node);
            }
        }
    }

    /** A node's guard and rules live as long as its process: a restart starts them afresh. */
    private static void ensureMembershipState(SimNode node) {
        if (node.guard == null) {
            node.guard = new BootstrapGuard(node.id, () -> node.isUp()
                    && !node.core.configuration().isEmpty());
            node.policy = new MembershipPolicy(node.id, 5, 7, 6L * ROUND, 10L * SimCluster.TICK);
        }
    }

    private void round(SimNode node) {
        ensureMembershipState(node);
        Set<NodeId> identified = new TreeSet<>();
        for (NodeId id : views.getOrDefault(node.id, Set.of(node.id))) {
            SimNode other = cluster.node(id);
            // Identifying a node is a round trip: it must be up and reachable both ways.
            if (other != null && other != node && other.isUp() && cluster.canReach(node.id, id)
                    && cluster.canReach(id, node.id)) {
                identified.add(id);
            }
        }
        if (node.core.configuration().isEmpty() && node.core.lastIndex() == 0) {
            node.guard.learn(identified);
            if (node.guard.known().size() < minNodes) {
                return;
            }
            Map<NodeId, BootstrapGuard.Status> answers = new TreeMap<>();
            for (NodeId id : identified) {
                SimNode other = cluster.node(id);
                ensureMembershipState(other);
                answers.put(id, other.guard.statusFor(node.id));
            }
            if (node.guard.claim(answers)) {
                cluster.bootstrapAlone(node);
            }
        } else if (node.core.role() == Role.LEADER) {
            Optional<ConfigChange> change = node.policy.next(node.core.configuration(), identified, cluster.now,
                    id -> {
                        Long at = node.lastHeard.get(id);
                        return at == null ? OptionalLong.empty() : OptionalLong.of(cluster.now - at);
                    }, id -> { });
            change.ifPresent(c -> {
                cluster.changeConfiguration(node, c);
                if (c.type() == ConfigChange.Type.ADD_LEARNER && cluster.node(c.node()) == null) {
                    throw new IllegalStateException("discovered node " + c.node() + " does not exist");
                }
            });
        }
    }
}
