package io.clustermode.simulation;

import io.clustermode.raft.Configuration;
import io.clustermode.raft.Entry;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.RaftConfig;
import io.clustermode.raft.Role;
import io.clustermode.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages no honest core sends, forged under a member's id — as a buggy or compromised peer
 * would send them, once past the transport's authentication. Each is refused with a reason and
 * changes nothing: the leader stays, and the cluster goes on committing. (The simulation's
 * invariant "honest-message-refused" checks the other side: no honest message is ever refused.)
 */
class HostileMessagesTest {

    private static final int ELECTION_UNITS = 10 * SimCluster.TICK;
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");

    private final SimCluster cluster = new SimCluster(7, RaftConfig.defaults().withMaxSnapshotBytes(1 << 20));
    private final SimNode leader;
    private final SimNode follower;
    private final SimNode other;

    HostileMessagesTest() {
        cluster.networkDelay(1, 3);
        cluster.bootstrap(List.of(N1, N2, N3));
        leader = cluster.runUntilStableLeader(30 * ELECTION_UNITS);
        cluster.runFor(ELECTION_UNITS);
        List<SimNode> rest = new ArrayList<>(cluster.nodes());
        rest.remove(leader);
        follower = rest.get(0);
        other = rest.get(1);
    }

    private long term() {
        return leader.core().term();
    }

    /** The leader is unchanged and a new entry commits on every node. */
    private void assertClusterUnharmed(long termBefore) {
        assertThat(leader.core().role()).isEqualTo(Role.LEADER);
        assertThat(leader.core().term()).isEqualTo(termBefore);
        long index = ((io.clustermode.raft.ProposeResult.Accepted) cluster.propose(leader,
                "after".getBytes(StandardCharsets.UTF_8))).index();
        cluster.runFor(ELECTION_UNITS);
        for (SimNode node : cluster.nodes()) {
            assertThat(node.core().commitIndex()).as(node.id() + " commit").isGreaterThanOrEqualTo(index);
        }
    }

    /** Every node takes part in "orders" of 6 partitions; returns once every partition is granted. */
    private io.clustermode.raft.PartitionTable declareOrders() {
        for (SimNode node : cluster.nodes()) {
            node.core().declarePartitions("orders", 6);
        }
        cluster.runFor(30 * ELECTION_UNITS);
        io.clustermode.raft.PartitionTable table = leader.core().partitionTable();
        for (int p = 0; p < 6; p++) {
            assertThat(table.owner("orders", p)).as("owner of orders/" + p).isNotNull();
        }
        return table;
    }

    @Test
    void when_a_partition_report_releases_another_members_grant_or_comes_from_a_stranger_then_nothing_moves() {
        long term = term();
        io.clustermode.raft.PartitionTable before = declareOrders();
        int othersPartition = -1;
        for (int p = 0; p < 6 && othersPartition < 0; p++) {
            othersPartition = other.id().equals(before.owner("orders", p)) ? p : -1;
        }
        assertThat(othersPartition).as("the balance gave 'other' a partition").isNotNegative();
        Message.PartitionReport.Released notYours = new Message.PartitionReport.Released("orders", othersPartition,
                before.epoch("orders", othersPartition));
        // Under a member's id, giving up what another member holds; and from a node of no configuration.
        assertThat(cluster.forge(new Message.PartitionReport(follower.id(), leader.id(), term, 1 << 20,
                java.util.Map.of("orders", 6), List.of(notYours)))).isEmpty();
        assertThat(cluster.forge(new Message.PartitionReport(NodeId.of("intruder"), leader.id(), term, 1,
                java.util.Map.of("orders", 6, "intruders", 4096), List.of(notYours)))).isEmpty();
        cluster.runFor(3 * ELECTION_UNITS);
        io.clustermode.raft.PartitionTable after = leader.core().partitionTable();
        assertThat(after.owner("orders", othersPartition)).isEqualTo(other.id());
        assertThat(after.epoch("orders", othersPartition)).isEqualTo(before.epoch("orders", othersPartition));
        assertThat(after.groups()).containsExactly("orders");
        assertThat(after.members("orders")).doesNotContain(NodeId.of("intruder"));
        assertClusterUnharmed(term);
    }

    @Test
    void when_a_partition_report_names_a_bad_group_or_an_acknowledgement_comes_from_no_leader_then_it_is_refused() {
        long term = term();
        assertThat(cluster.forge(new Message.PartitionReport(follower.id(), leader.id(), term, 1,
                java.util.Map.of("bad name", 6), List.of()))).hasValueSatisfying(r -> assertThat(r).contains("bad name"));
        assertThat(cluster.forge(new Message.PartitionReport(follower.id(), leader.id(), term, 1,
                java.util.Map.of("orders", 1 << 20), List.of()))).isPresent();
        assertThat(cluster.forge(new Message.PartitionReportAck(other.id(), follower.id(), term, 1, 1))).isPresent();
        assertClusterUnharmed(term);
    }

    @Test
    void when_a_heartbeat_carries_the_largest_term_then_every_node_refuses_it() {
        long term = term();
        for (SimNode target : cluster.nodes()) {
            NodeId claimed = target == follower ? other.id() : follower.id();
            Optional<String> refusal = cluster.forge(new Message.Heartbeat(claimed, target.id(), Long.MAX_VALUE, 0, 0));
            assertThat(refusal).hasValueSatisfying(reason -> assertThat(reason).contains("term"));
            assertThat(target.core().term()).isEqualTo(term);
        }
        assertClusterUnharmed(term);
    }

    @Test
    void when_a_vote_request_nears_the_largest_term_then_it_is_refused_and_the_term_cannot_overflow() {
        long term = term();
        long nearMax = Long.MAX_VALUE - 5;
        assertThat(cluster.forge(new Message.VoteRequest(follower.id(), other.id(), nearMax, 1 << 20, nearMax,
                false, true))).isPresent();
        assertThat(other.core().term()).isEqualTo(term);
        assertClusterUnharmed(term);
    }

    @Test
    void when_an_append_response_acknowledges_an_index_never_sent_then_the_leader_refuses_it_and_keeps_running() {
        long term = term();
        long commit = leader.core().commitIndex();
        Optional<String> refusal = cluster.forge(new Message.AppendResponse(follower.id(), leader.id(), term, true,
                leader.core().lastIndex(), 1L << 40, 0, 0));
        assertThat(refusal).hasValueSatisfying(reason -> assertThat(reason).contains("was sent"));
        assertThat(leader.core().commitIndex()).isEqualTo(commit);
        assertClusterUnharmed(term);
    }

    @Test
    void when_a_heartbeat_response_answers_a_read_round_not_yet_begun_then_no_read_is_confirmed_by_it() {
        long term = term();
        cluster.isolate(leader.id());
        assertThat(cluster.read(leader)).isTrue();
        for (SimNode peer : List.of(follower, other)) {
            assertThat(cluster.forge(new Message.HeartbeatResponse(peer.id(), leader.id(), term, Long.MAX_VALUE / 2, true)))
                    .isPresent();
        }
        cluster.runFor(2);
        assertThat(leader.readsWaiting).as("the read still waits for a quorum, not answered").isEqualTo(1);
        assertThat(cluster.readsServed).as("reads answered without a quorum").isZero();
    }

    @Test
    void when_a_follower_forges_timeout_now_then_nobody_campaigns() {
        long term = term();
        assertThat(cluster.forge(new Message.TimeoutNow(follower.id(), other.id(), term))).isPresent();
        assertThat(cluster.forge(new Message.TimeoutNow(follower.id(), other.id(), term + 1))).isPresent();
        assertThat(other.core().role()).isEqualTo(Role.FOLLOWER);
        assertThat(other.core().term()).isEqualTo(term);
        assertClusterUnharmed(term);
    }

    @Test
    void when_a_second_node_acts_as_leader_of_the_term_then_its_appends_heartbeats_and_snapshots_are_refused() {
        long term = term();
        long last = other.core().lastIndex();
        Entry bogus = Entry.command(last + 1, term, "bogus".getBytes(StandardCharsets.UTF_8));
        assertThat(cluster.forge(new Message.AppendRequest(follower.id(), other.id(), term, last,
                other.core().lastTerm(), List.of(bogus), last + 1))).isPresent();
        assertThat(cluster.forge(new Message.AppendRequest(follower.id(), leader.id(), term, last,
                other.core().lastTerm(), List.of(bogus), last + 1))).isPresent();
        assertThat(cluster.forge(new Message.Heartbeat(follower.id(), other.id(), term, 0, 0))).isPresent();
        SnapshotMeta meta = new SnapshotMeta(last + 100, term, Configuration.ofVoters(Set.of(N1, N2, N3)));
        assertThat(cluster.forge(new Message.InstallSnapshot(follower.id(), other.id(), term, meta, 0,
                new byte[]{1, 2, 3}, true))).isPresent();
        assertThat(other.core().lastIndex()).isEqualTo(last);
        assertThat(other.core().leader()).isEqualTo(leader.id());
        assertClusterUnharmed(term);
    }

    @Test
    void when_snapshot_chunks_exceed_the_limit_then_the_follower_refuses_them() {
        long term = term();
        SnapshotMeta meta = new SnapshotMeta(1000, term, Configuration.ofVoters(Set.of(N1, N2, N3)));
        Optional<String> refusal = cluster.forge(new Message.InstallSnapshot(leader.id(), follower.id(), term, meta,
                (1 << 20) - 10, new byte[100], false));
        assertThat(refusal).hasValueSatisfying(reason -> assertThat(reason).contains("maxSnapshotBytes"));
        assertClusterUnharmed(term);
    }

    @Test
    void when_entries_claim_a_later_term_than_their_message_then_they_are_refused() {
        long term = term();
        long last = follower.core().lastIndex();
        Entry future = Entry.command(last + 1, term + 7, "x".getBytes(StandardCharsets.UTF_8));
        assertThat(cluster.forge(new Message.AppendRequest(leader.id(), follower.id(), term, last,
                follower.core().lastTerm(), List.of(future), last))).isPresent();
        assertThat(follower.core().lastIndex()).isEqualTo(last);
        assertClusterUnharmed(term);
    }

    @Test
    void when_a_follower_claims_to_answer_forwards_or_read_indexes_as_leader_then_its_answers_are_refused() {
        long term = term();
        // Only the leader of a term appends forwarded commands or confirms a read index.
        assertThat(cluster.forge(new Message.ForwardResponse(other.id(), follower.id(), term, 1, 5)))
                .hasValueSatisfying(reason -> assertThat(reason).contains("leads"));
        assertThat(cluster.forge(new Message.ReadIndexResponse(other.id(), follower.id(), term, 1, 1L << 40)))
                .hasValueSatisfying(reason -> assertThat(reason).contains("leads"));
        assertThat(cluster.forge(new Message.ReadIndexResponse(other.id(), follower.id(), term, 1, -1)))
                .hasValueSatisfying(reason -> assertThat(reason).contains("index"));
        assertThat(follower.core().leader()).isEqualTo(leader.id());
        assertClusterUnharmed(term);
    }

    @Test
    void when_a_forward_reaches_a_follower_then_nothing_is_appended_and_the_sender_is_told() {
        long term = term();
        long last = other.core().lastIndex();
        assertThat(cluster.forge(new Message.ForwardRequest(follower.id(), other.id(), term, 1,
                List.of("not for a follower".getBytes(StandardCharsets.UTF_8))))).isEmpty();
        assertThat(other.core().lastIndex()).isEqualTo(last);
        cluster.runFor(ELECTION_UNITS);
        assertClusterUnharmed(term);
    }
}
