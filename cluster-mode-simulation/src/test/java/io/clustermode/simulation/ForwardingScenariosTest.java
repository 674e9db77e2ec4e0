package io.clustermode.simulation;

import io.clustermode.Committed;
import io.clustermode.IndeterminateOutcomeException;
import io.clustermode.NodeId;
import io.clustermode.NotPrimaryException;
import io.clustermode.raft.Message;
import io.clustermode.raft.RaftConfig;
import io.clustermode.raft.Role;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.clustermode.simulation.Scenarios.runUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes and linearizable reads at a follower (thesis §6.2 and §6.4.1), played on a simulated
 * cluster through the runtime's own driver: the follower hands writes to the leader as one Raft
 * message and answers once it has applied them; it asks the leader for a read index and answers
 * from its own state machine.
 */
class ForwardingScenariosTest {

    private static final int ELECTION_UNITS = 10 * SimCluster.TICK;

    private static SimCluster cluster(long seed) {
        SimCluster cluster = new SimCluster(seed, RaftConfig.defaults());
        cluster.networkDelay(1, 3);
        cluster.bootstrap(List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")));
        return cluster;
    }

    private static SimNode leader(SimCluster cluster) {
        SimNode leader = cluster.runUntilStableLeader(30 * ELECTION_UNITS);
        assertThat(leader).isNotNull();
        cluster.runFor(ELECTION_UNITS); // the no-op commits, every follower hears of it
        return leader;
    }

    private static SimNode follower(SimCluster cluster, SimNode leader) {
        return cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_follower_forwards_writes_and_acknowledges_each_once_it_applied_that_very_entry() {
        SimCluster cluster = cluster(11);
        SimNode leader = leader(cluster);
        SimNode follower = follower(cluster, leader);
        List<CompletableFuture<Committed<Long>>> writes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writes.add(cluster.submit(follower, bytes("forwarded " + i)));
        }
        runUntil(cluster, ELECTION_UNITS, () -> writes.stream().allMatch(CompletableFuture::isDone));
        for (int i = 0; i < writes.size(); i++) {
            Committed<Long> committed = writes.get(i).join();
            assertThat(committed.term()).isEqualTo(leader.core().term());
            assertThat(leader.core().entryAt(committed.index()).data()).isEqualTo(bytes("forwarded " + i));
            assertThat(follower.core().appliedIndex()).isGreaterThanOrEqualTo(committed.index());
        }
    }

    @Test
    void a_forward_the_leader_never_receives_has_an_unknown_fate_after_an_election_timeout() {
        SimCluster cluster = cluster(12);
        SimNode leader = leader(cluster);
        SimNode follower = follower(cluster, leader);
        cluster.blockOneWay(follower.id(), leader.id()); // the follower still hears the leader
        CompletableFuture<Committed<Long>> write = cluster.submit(follower, bytes("lost"));
        runUntil(cluster, 2 * ELECTION_UNITS, write::isDone);
        assertThat(write).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                .havingRootCause().isInstanceOf(IndeterminateOutcomeException.class);
        assertThat(follower.core().role()).isEqualTo(Role.FOLLOWER);
        assertThat(follower.core().leader()).isEqualTo(leader.id());
    }

    @Test
    void a_leader_handing_over_refuses_a_forward_so_that_it_can_be_tried_again() {
        SimCluster cluster = cluster(13);
        SimNode leader = leader(cluster);
        SimNode follower = follower(cluster, leader);
        SimNode target = cluster.nodes().stream().filter(n -> n != leader && n != follower).findFirst().orElseThrow();
        cluster.crash(target); // the transfer cannot finish: the leader refuses proposals meanwhile
        assertThat(cluster.transferLeadership(leader, target.id())).isTrue();
        CompletableFuture<Committed<Long>> write = cluster.submit(follower, bytes("during the hand-over"));
        runUntil(cluster, ELECTION_UNITS / 2, write::isDone);
        assertThat(write).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                .havingRootCause().isInstanceOf(NotPrimaryException.class);
    }

    @Test
    void a_follower_read_sees_a_write_the_leader_acknowledged_before_the_follower_heard_of_its_commit() {
        SimCluster cluster = cluster(14);
        SimNode leader = leader(cluster);
        SimNode follower = follower(cluster, leader);
        cluster.blockOneWay(leader.id(), follower.id());
        CompletableFuture<Committed<Long>> write = cluster.submit(leader, bytes("written at the leader"));
        // Acknowledged by the leader once a majority has it: the other follower's answer suffices.
        runUntil(cluster, ELECTION_UNITS / 2, write::isDone);
        long index = write.join().index();
        assertThat(follower.core().commitIndex()).as("the follower has not heard of the write").isLessThan(index);
        CompletableFuture<Long> read = cluster.readAppliedIndex(follower);
        cluster.heal();
        runUntil(cluster, ELECTION_UNITS, read::isDone);
        assertThat(read.join()).as("the index the follower had applied when it answered")
                .isGreaterThanOrEqualTo(index);
    }

    @Test
    void a_follower_that_answers_reads_on_its_own_is_caught_by_the_simulation() {
        Simulator.Summary summary = Simulator.run(Simulator.FIRST_SEED, 100,
                java.util.EnumSet.of(io.clustermode.raft.Canary.FOLLOWER_READ_WITHOUT_LEADER), 2);
        assertThat(summary.violations()).isNotEmpty();
        assertThat(summary.violations().get(0).invariant()).isEqualTo("linearizable read");
    }

    @Test
    void with_three_voters_a_follower_read_needs_no_heartbeat_round_its_request_and_the_leader_are_a_majority() {
        SimCluster cluster = cluster(15);
        SimNode leader = leader(cluster);
        SimNode follower = follower(cluster, leader);
        CompletableFuture<Committed<Long>> write = cluster.submit(leader, bytes("before the read"));
        runUntil(cluster, ELECTION_UNITS / 2, write::isDone);
        // No heartbeat arrives from now on: a read that waited for a round would never be answered.
        cluster.loseMessages(message -> message instanceof Message.Heartbeat);
        CompletableFuture<Long> read = cluster.readAppliedIndex(follower);
        runUntil(cluster, ELECTION_UNITS / 4, read::isDone);
        assertThat(read.join()).isGreaterThanOrEqualTo(write.join().index());
    }

    @Test
    void with_five_voters_a_follower_read_still_waits_for_a_heartbeat_round() {
        SimCluster cluster = new SimCluster(16, RaftConfig.defaults());
        cluster.networkDelay(1, 3);
        cluster.bootstrap(List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"), NodeId.of("n4"), NodeId.of("n5")));
        SimNode leader = leader(cluster);
        SimNode follower = follower(cluster, leader);
        cluster.loseMessages(message -> message instanceof Message.Heartbeat);
        CompletableFuture<Long> read = cluster.readAppliedIndex(follower);
        cluster.runFor(ELECTION_UNITS / 4);
        assertThat(read).as("two of five do not make a majority: it waits for the round's answers").isNotDone();
        cluster.loseMessages(message -> false);
        runUntil(cluster, ELECTION_UNITS, read::isDone);
        assertThat(read).isCompleted();
    }
}
