package io.clustermode.simulation;

import io.clustermode.NodeId;
import io.clustermode.raft.RaftConfig;
import io.clustermode.raft.Role;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.clustermode.simulation.Scenarios.runUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health-gated leadership (issue 16), played on a simulated cluster in virtual time: a unit is a
 * millisecond and a tick 10 ms, as in a real node at the default settings, so the defaults'
 * 30 s of recovery are 3,000 ticks. Health checks run every second, as the runtime's do.
 */
class HealthScenariosTest {

    private static final int SECOND = 1000;
    private static final int MINUTE = 60 * SECOND;
    private static final int ELECTION_UNITS = 10 * SimCluster.TICK;

    private static SimCluster cluster(long seed, int size) {
        SimCluster cluster = new SimCluster(seed, RaftConfig.defaults());
        cluster.networkDelay(1, 3);
        List<NodeId> ids = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            ids.add(NodeId.of("n" + i));
        }
        cluster.bootstrap(ids);
        cluster.checkHealthEvery(SECOND);
        return cluster;
    }

    private static SimNode leader(SimCluster cluster) {
        SimNode leader = cluster.runUntilStableLeader(30 * ELECTION_UNITS);
        assertThat(leader).isNotNull();
        cluster.runFor(ELECTION_UNITS); // the no-op commits, heartbeats carry everyone's health
        return leader;
    }

    private static SimNode currentLeader(SimCluster cluster) {
        return cluster.leader();
    }

    private static int handovers(SimCluster cluster) {
        return cluster.nodes().stream().mapToInt(SimNode::unhealthyHandovers).sum();
    }

    @Test
    void an_unhealthy_primary_hands_over_to_a_healthy_voter_within_one_heartbeat_round() {
        List<String> reasons = new ArrayList<>();
        long worst = 0;
        for (long seed = 1; seed <= 20; seed++) {
            SimCluster cluster = cluster(seed, 3);
            SimNode old = leader(cluster);
            cluster.onStateChange((node, change) -> {
                if (node.equals(old.id()) && change.role() == Role.FOLLOWER) {
                    reasons.add(change.reason());
                }
            });
            long start = cluster.now();
            cluster.reportHealth(old, false);
            runUntil(cluster, ELECTION_UNITS, () -> {
                SimNode now = currentLeader(cluster);
                return now != null && now != old;
            });
            SimNode successor = currentLeader(cluster);
            worst = Math.max(worst, cluster.now() - start);
            assertThat(successor.core().healthy()).isTrue();
            runUntil(cluster, ELECTION_UNITS, () -> successor.id().equals(old.core().leader()));
            assertThat(old.unhealthyHandovers()).isEqualTo(1);
            // It stays handed over: the old primary is not healthy again for 30 s, and then has no reason to take over.
            cluster.runFor(5 * SECOND);
            assertThat(currentLeader(cluster)).isSameAs(successor);
        }
        System.out.printf("unhealthy primary -> new primary: at most %d ms (heartbeat %d ms) over 20 seeds%n",
                worst, SimCluster.TICK);
        // TimeoutNow, a vote request and its answer: three message delays of at most 3 units,
        // plus a heartbeat's round when the successor was not quite caught up.
        assertThat(worst).isLessThanOrEqualTo(SimCluster.TICK + 4 * 3);
        // The old primary's step down says why: one per seed.
        assertThat(reasons.stream().filter(reason -> reason.contains("handed over"))).hasSize(20)
                .allMatch(reason -> reason.startsWith("unhealthy: leadership handed over to"));
    }

    @Test
    void a_check_that_fails_one_second_in_three_hands_over_at_most_once_per_minute() {
        SimCluster cluster = cluster(7, 3);
        SimNode flapping = leader(cluster);
        int minutes = 4;
        int[] perMinute = new int[minutes];
        for (int minute = 0; minute < minutes; minute++) {
            int before = handovers(cluster);
            for (int second = 0; second < 60; second++) {
                flapping.checkPasses(second % 3 != 0);
                cluster.runFor(SECOND);
            }
            perMinute[minute] = handovers(cluster) - before;
        }
        System.out.println("handovers per simulated minute, the primary's check failing 1 s of every 3: "
                + java.util.Arrays.toString(perMinute));
        assertThat(java.util.Arrays.stream(perMinute).max().orElse(0)).isLessThanOrEqualTo(1);
        assertThat(flapping.unhealthyHandovers()).isEqualTo(1);
        assertThat(currentLeader(cluster)).isNotSameAs(flapping);
    }

    @Test
    void a_shared_dependency_that_fails_one_second_in_three_everywhere_hands_over_at_most_once_per_minute() {
        SimCluster cluster = cluster(8, 3);
        leader(cluster);
        int minutes = 3;
        int[] perMinute = new int[minutes];
        for (int minute = 0; minute < minutes; minute++) {
            int before = handovers(cluster);
            for (int second = 0; second < 60; second++) {
                for (SimNode node : cluster.nodes()) {
                    node.checkPasses(second % 3 != 0);
                }
                cluster.runFor(SECOND);
            }
            perMinute[minute] = handovers(cluster) - before;
        }
        System.out.println("handovers per simulated minute, every node's check failing 1 s of every 3: "
                + java.util.Arrays.toString(perMinute));
        assertThat(java.util.Arrays.stream(perMinute).max().orElse(0)).isLessThanOrEqualTo(1);
        assertThat(currentLeader(cluster)).isNotNull();
    }

    @Test
    void when_every_voter_is_unhealthy_the_primary_stays_and_says_so() {
        SimCluster cluster = cluster(3, 3);
        SimNode primary = leader(cluster);
        for (SimNode node : cluster.nodes()) {
            if (node != primary) {
                cluster.reportHealth(node, false);
            }
        }
        cluster.runFor(ELECTION_UNITS); // the followers' heartbeat answers say so
        cluster.reportHealth(primary, false);
        long term = primary.core().term();
        cluster.runFor(10 * SECOND);
        assertThat(currentLeader(cluster)).isSameAs(primary);
        assertThat(primary.core().term()).isEqualTo(term);
        assertThat(primary.core().healthNote()).contains("no other voter is known to be healthy");
        assertThat(handovers(cluster)).isZero();

        // One voter comes back (after the recovery time): the primary hands over to it.
        SimNode recovering = cluster.nodes().stream().filter(n -> n != primary).findFirst().orElseThrow();
        cluster.reportHealth(recovering, true);
        runUntil(cluster, 31 * SECOND, () -> currentLeader(cluster) == recovering);
        assertThat(primary.unhealthyHandovers()).isEqualTo(1);
    }

    @Test
    void a_cluster_of_only_unhealthy_nodes_still_elects_one() {
        SimCluster cluster = cluster(4, 3);
        SimNode first = leader(cluster);
        for (SimNode node : cluster.nodes()) {
            cluster.reportHealth(node, false);
        }
        cluster.crash(first);
        long start = cluster.now();
        runUntil(cluster, 30 * ELECTION_UNITS, () -> currentLeader(cluster) != null);
        System.out.printf("only unhealthy nodes: a new primary after %d ms (election timeout %d ms)%n",
                cluster.now() - start, ELECTION_UNITS);
    }

    @Test
    void an_unhealthy_node_does_not_win_while_a_healthy_one_can() {
        for (long seed = 1; seed <= 20; seed++) {
            SimCluster cluster = cluster(100 + seed, 3);
            SimNode old = leader(cluster);
            List<SimNode> others = cluster.nodes().stream().filter(n -> n != old).toList();
            SimNode sick = others.get((int) (seed % 2));
            SimNode well = others.get(1 - (int) (seed % 2));
            cluster.reportHealth(sick, false);
            cluster.runFor(ELECTION_UNITS);
            cluster.crash(old);
            runUntil(cluster, 30 * ELECTION_UNITS, () -> currentLeader(cluster) != null);
            assertThat(currentLeader(cluster)).as("seed " + seed).isSameAs(well);
        }
    }

    @Test
    void an_unhealthy_node_refuses_a_transfer_and_the_leader_gives_up_after_an_election_timeout() {
        SimCluster cluster = cluster(5, 3);
        SimNode leader = leader(cluster);
        SimNode sick = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        cluster.reportHealth(sick, false);
        assertThat(cluster.transferLeadership(leader, sick.id())).isTrue();
        cluster.runFor(2 * ELECTION_UNITS);
        assertThat(currentLeader(cluster)).isSameAs(leader);
        assertThat(leader.core().transferee()).isNull();
        assertThat(sick.core().role()).isEqualTo(Role.FOLLOWER);
    }
}
