package io.clustermode.simulation;

import io.clustermode.NodeId;
import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.RaftConfig;
import io.clustermode.raft.Role;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.clustermode.simulation.Scenarios.runUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many times partitions move (issue 15's "Show"), played deterministically on the real
 * partition code: 5 members with 64 partitions, a 6th joins, a member is killed and comes back,
 * then all 6 are restarted one after another the way {@code Cluster.close()} stops a process
 * (give up the partitions, hand primacy over, stop). Moves are counted from what the nodes'
 * drivers were told they hold — the work that stops and starts — not from a table.
 */
class PartitionMovesTest {

    private static final int PARTITIONS = 64;
    private static final String GROUP = "orders";
    /** The runtime's defaults: a 10 ms tick, heartbeats every 100 ms, elections after 1000 ms. */
    private static final RaftConfig CONFIG = RaftConfig.defaults().withElectionTicks(100).withHeartbeatTicks(10);
    private static final int ELECTION_UNITS = 100 * SimCluster.TICK;

    private final Map<Integer, NodeId> lastHolder = new TreeMap<>();
    private final int[] moves = new int[PARTITIONS];
    private long unchangedSince;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void a_join_moves_only_what_balance_needs_and_a_rolling_restart_moves_each_partition_at_most_twice(long seed) {
        SimCluster cluster = new SimCluster(seed, CONFIG);
        java.util.Random random = new java.util.Random(seed);
        cluster.networkDelay(1, 8);
        cluster.clockDrift = seed % 2 == 0;
        cluster.declarePartitionGroup(GROUP, PARTITIONS);
        // The members come one after another, as discovery finds them: the first bootstraps alone.
        cluster.bootstrap(List.of(NodeId.of("n1")));
        settle(cluster, "n1 started");
        for (int i = 2; i <= 5; i++) {
            join(cluster, NodeId.of("n" + i), true);
            settle(cluster, "n" + i + " joined");
        }
        java.util.Arrays.fill(moves, 0);

        NodeId sixth = NodeId.of("n6");
        // Half the runs keep the 6th a learner, as a cluster of five voters does (the benchmark's case).
        join(cluster, sixth, seed % 4 < 2);
        settle(cluster, "n6 joined");
        assertThat(total()).as("moves when a 6th member joins (seed " + seed + ")")
                .isLessThanOrEqualTo((PARTITIONS + 5) / 6);

        SimNode victim = cluster.node(sixth);
        cluster.crash(victim);
        settle(cluster, "n6 killed");
        cluster.restart(victim);
        settle(cluster, "n6 restarted");

        // The rolling restart, in id order or shuffled.
        java.util.Arrays.fill(moves, 0);
        List<SimNode> order = new ArrayList<>(cluster.nodes());
        if (seed % 2 == 1) {
            java.util.Collections.shuffle(order, random);
        }
        for (SimNode node : order) {
            stopGracefully(cluster, node);
            cluster.runFor(500 + random.nextInt(3000)); // a JVM's start-up
            cluster.restart(node);
            settle(cluster, node.id() + " restarted");
        }
        int most = java.util.Arrays.stream(moves).max().orElse(0);
        assertThat(most).as("the most moves of one partition in a rolling restart (seed " + seed + "): "
                + java.util.Arrays.toString(moves)).isLessThanOrEqualTo(2);
    }

    private static void join(SimCluster cluster, NodeId id, boolean voter) {
        runUntil(cluster, 5 * ELECTION_UNITS, () -> cluster.leader() != null
                && cluster.changeConfiguration(cluster.leader(), ConfigChange.addLearner(id)).accepted());
        cluster.addNode(id);
        if (voter) {
            runUntil(cluster, 10 * ELECTION_UNITS, () -> cluster.leader() != null
                    && cluster.leader().core().configuration().contains(id)
                    && cluster.changeConfiguration(cluster.leader(), ConfigChange.promote(id)).accepted());
        }
    }

    /** What {@code Cluster.close()} does: give the partitions up, hand primacy over, stop. */
    private void stopGracefully(SimCluster cluster, SimNode node) {
        cluster.withdrawPartitions(node, GROUP);
        runUntil(cluster, ELECTION_UNITS, () -> node.held.isEmpty() && (cluster.leader() == null
                || cluster.leader().core().partitionTable().ownedBy(GROUP, node.id()) == 0));
        if (node.core().role() == Role.LEADER) {
            NodeId target = cluster.nodes().stream().filter(n -> n != node).findFirst().orElseThrow().id();
            cluster.transferLeadership(node, target);
            runUntil(cluster, ELECTION_UNITS, () -> node.core().role() != Role.LEADER);
        }
        cluster.crash(node);
    }

    /** Runs until every partition is held by one running node, counts balanced, nothing changed for 500 units. */
    private void settle(SimCluster cluster, String step) {
        unchangedSince = cluster.now();
        try {
            runUntil(cluster, 60 * ELECTION_UNITS, () -> {
                observe(cluster);
                return cluster.now() - unchangedSince >= 500 && settled(cluster);
            });
        } catch (AssertionError e) {
            throw new AssertionError("settling after \"" + step + "\": " + e.getMessage(), e);
        }
    }

    private boolean settled(SimCluster cluster) {
        TreeMap<NodeId, Integer> counts = new TreeMap<>();
        for (SimNode node : cluster.nodes()) {
            if (node.isUp()) {
                counts.put(node.id(), 0);
            }
        }
        for (int p = 0; p < PARTITIONS; p++) {
            NodeId holder = holder(cluster, p);
            if (holder == null) {
                return false;
            }
            counts.merge(holder, 1, Integer::sum);
        }
        int fewest = counts.values().stream().min(Integer::compare).orElse(0);
        int most = counts.values().stream().max(Integer::compare).orElse(0);
        return most - fewest <= 1;
    }

    private void observe(SimCluster cluster) {
        for (int p = 0; p < PARTITIONS; p++) {
            NodeId holder = holder(cluster, p);
            if (holder != null) {
                NodeId before = lastHolder.put(p, holder);
                if (before != null && !before.equals(holder)) {
                    moves[p]++;
                }
                if (!holder.equals(before)) {
                    unchangedSince = cluster.now();
                }
            }
        }
    }

    private static NodeId holder(SimCluster cluster, int partition) {
        String key = GROUP + "/" + partition;
        NodeId holder = null;
        for (SimNode node : cluster.nodes()) {
            if (node.isUp() && node.held.containsKey(key)) {
                assertThat(holder).as(key + " held by two nodes").isNull();
                holder = node.id();
            }
        }
        return holder;
    }

    private int total() {
        return java.util.Arrays.stream(moves).sum();
    }
}
