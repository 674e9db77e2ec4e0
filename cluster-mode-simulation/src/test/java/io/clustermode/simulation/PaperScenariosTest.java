package io.clustermode.simulation;

import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.ProposeResult;
import io.clustermode.raft.RaftConfig;
import io.clustermode.raft.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.clustermode.simulation.Scenarios.runUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tricky situations of the Raft paper and thesis, played out step by step on a simulated
 * cluster. Every step also runs the simulation's invariant checks, so a broken rule shows up
 * either as a failed assertion here or as an {@link InvariantViolation}.
 */
class PaperScenariosTest {

    private static final int ELECTION_UNITS = 10 * SimCluster.TICK;

    private static List<NodeId> ids(int count) {
        List<NodeId> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(NodeId.of("n" + i));
        }
        return ids;
    }

    private static SimCluster cluster(long seed, int size, RaftConfig config) {
        SimCluster cluster = new SimCluster(seed, config);
        cluster.networkDelay(1, 1);
        cluster.bootstrap(ids(size));
        return cluster;
    }

    private static SimNode electedLeader(SimCluster cluster) {
        SimNode leader = cluster.runUntilStableLeader(20 * ELECTION_UNITS);
        assertThat(leader).as("a leader emerges").isNotNull();
        return leader;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static long proposeOn(SimCluster cluster, SimNode node, String command) {
        ProposeResult result = cluster.propose(node, bytes(command));
        assertThat(result).isInstanceOf(ProposeResult.Accepted.class);
        return ((ProposeResult.Accepted) result).index();
    }

    /**
     * Figure 8 of the paper: an entry of an earlier term that reaches a majority is not
     * committed by counting replicas, because a node with a later last term can still be
     * elected and overwrite it. Only an entry of the leader's own term commits by counting.
     */
    @Test
    void figure8_an_old_term_entry_on_a_majority_is_not_committed_and_may_be_overwritten() {
        SimCluster cluster = cluster(8, 5, RaftConfig.defaults().withBatching(1, 1, 1 << 20));
        SimNode s1 = cluster.node(NodeId.of("n1"));
        SimNode s2 = cluster.node(NodeId.of("n2"));
        cluster.timeout(s1);
        runUntil(cluster, ELECTION_UNITS, () -> s1.core().role() == Role.LEADER && s1.core().commitIndex() == 2);
        long oldTerm = s1.core().term();

        // (a) S1 leads and replicates a new entry X to S2 only.
        cluster.partition(List.of(s1.id(), s2.id()));
        long x = proposeOn(cluster, s1, "X");
        runUntil(cluster, 10, () -> s2.core().termAt(x) == oldTerm);
        assertThat(s1.core().commitIndex()).isLessThan(x);

        // (b) S1 and S2 go down; a node of the other three wins a later term and appends its
        // own entry at X's index, which goes nowhere before it crashes too.
        cluster.crash(s1);
        cluster.crash(s2);
        runUntil(cluster, 40 * ELECTION_UNITS, () -> cluster.leader() != null);
        SimNode s5 = cluster.leader();
        cluster.isolate(s5.id());
        cluster.runFor(2); // what it sent is lost on the way
        long s5Term = s5.core().term();
        assertThat(s5.core().termAt(x)).isEqualTo(s5Term);
        cluster.crash(s5);
        cluster.heal();

        // (c) S1 and S2 come back; S1 is elected in a still later term (its log is the most up
        // to date). Every append carrying an entry of S1's new term is lost: X reaches a
        // majority (S1, S3, S4 acknowledge it) while S1's own no-op reaches nobody.
        cluster.restart(s1);
        cluster.restart(s2);
        cluster.timeout(s1);
        runUntil(cluster, 40 * ELECTION_UNITS, () -> s1.core().role() == Role.LEADER);
        long s1Term = s1.core().term();
        cluster.loseMessages(m -> m instanceof Message.AppendRequest append
                && append.entries().stream().anyMatch(e -> e.term() == s1Term));
        runUntil(cluster, 5 * ELECTION_UNITS, () -> disksWithTermAt(cluster, x, oldTerm) == 4);
        for (int unit = 0; unit < ELECTION_UNITS && s1.core().role() == Role.LEADER; unit++) {
            // §5.4.2: X is of an older term; counting its replicas must not commit it.
            assertThat(s1.core().commitIndex()).as("S1's commit index with X on a majority").isLessThan(x);
            cluster.runOneUnit();
        }
        cluster.loseMessages(m -> false);

        // (d) S1 crashes; S5 returns and, with a later last term than the nodes holding X, is
        // elected with their votes and overwrites X everywhere. (The holders cannot reach each
        // other, so none of them can gather a majority first.)
        cluster.crash(s1);
        cluster.restart(s5);
        List<SimNode> holders = cluster.nodes().stream().filter(n -> n != s1 && n != s5).toList();
        for (SimNode a : holders) {
            for (SimNode b : holders) {
                if (a != b) {
                    cluster.blockOneWay(a.id(), b.id());
                }
            }
        }
        for (int unit = 0; unit < 10 * ELECTION_UNITS && cluster.leader() != s5; unit++) {
            if (unit % 30 == 0) {
                cluster.timeout(s5);
            }
            cluster.runOneUnit();
        }
        assertThat(cluster.leader()).as("S5, whose last term is later than X's, wins; nodes:\n"
                + String.join("\n", cluster.statusLines())).isSameAs(s5);
        cluster.heal();
        cluster.restart(s1);
        runUntil(cluster, 60 * ELECTION_UNITS, () -> cluster.nodes().stream()
                .allMatch(node -> node.isUp() && node.core().termAt(x) == s5Term && node.core().commitIndex() >= x));
    }

    private static int disksWithTermAt(SimCluster cluster, long index, long term) {
        int count = 0;
        for (SimNode node : cluster.nodes()) {
            boolean has = node.isUp() ? node.core().termAt(index) == term
                    : node.disk.entries.stream().anyMatch(e -> e.index() == index && e.term() == term);
            if (has) {
                count++;
            }
        }
        return count;
    }

    /**
     * A leader cut off from the majority keeps believing it leads for a while; nothing it
     * accepts then commits, it steps down by check-quorum, and on its return its entry is
     * replaced by the new leader's log.
     */
    @Test
    void a_partitioned_old_leader_commits_nothing_steps_down_and_rejoins_as_follower() {
        SimCluster cluster = cluster(11, 3, RaftConfig.defaults());
        SimNode old = electedLeader(cluster);
        long oldTerm = old.core().term();
        cluster.isolate(old.id());
        long lost = proposeOn(cluster, old, "written to a leader that lost its majority");
        assertThat(cluster.read(old)).as("the old leader takes the read request").isTrue();

        runUntil(cluster, 10 * ELECTION_UNITS, () -> {
            SimNode leader = cluster.leader();
            return leader != null && leader != old;
        });
        SimNode fresh = cluster.leader();
        assertThat(fresh.core().term()).isGreaterThan(oldTerm);
        long kept = proposeOn(cluster, fresh, "written to the new leader");
        // Check-quorum (thesis §6.2): within two election timeouts the old leader gives up.
        runUntil(cluster, 2 * ELECTION_UNITS + SimCluster.TICK, () -> old.core().role() != Role.LEADER);
        assertThat(old.core().commitIndex()).isLessThan(lost);
        assertThat(cluster.readsServed).as("the old leader never confirmed its read").isZero();

        cluster.heal();
        runUntil(cluster, 10 * ELECTION_UNITS, () -> old.core().commitIndex() >= kept
                && fresh.id().equals(old.core().leader()));
        assertThat(old.core().termAt(lost)).isNotEqualTo(oldTerm);
    }

    /**
     * Check-quorum over a sliding window (thesis §6.2): a leader cut off from the others steps
     * down before they elect another, so the application never has two primaries at once when
     * clocks keep their rate — the followers' leases of it end a whole election timeout after
     * they last heard it, and it gives up an election timeout less a heartbeat interval after
     * it last heard a majority. (With rounds of a whole timeout it led on for up to twice that.)
     */
    @ParameterizedTest
    @CsvSource({"31, 3, 10, 1", "32, 5, 10, 1", "33, 3, 100, 10", "34, 5, 100, 10", "35, 3, 100, 10",
            "36, 5, 100, 10", "37, 3, 30, 10", "38, 5, 30, 10"})
    void a_cut_off_leader_steps_down_before_another_is_elected(long seed, int size, int electionTicks,
                                                               int heartbeatTicks) {
        SimCluster cluster = cluster(seed, size,
                RaftConfig.defaults().withElectionTicks(electionTicks).withHeartbeatTicks(heartbeatTicks));
        SimNode old = cluster.runUntilStableLeader(30L * electionTicks * SimCluster.TICK);
        assertThat(old).isNotNull();
        cluster.runFor(3L * heartbeatTicks * SimCluster.TICK);
        long[] steppedDown = {-1};
        long[] successorElected = {-1};
        cluster.onStateChange((node, change) -> {
            if (node.equals(old.id()) && change.role() != Role.LEADER && steppedDown[0] < 0) {
                steppedDown[0] = cluster.now();
            } else if (!node.equals(old.id()) && change.role() == Role.LEADER && successorElected[0] < 0) {
                successorElected[0] = cluster.now();
            }
        });
        cluster.isolate(old.id());
        runUntil(cluster, 10L * electionTicks * SimCluster.TICK,
                () -> steppedDown[0] >= 0 && successorElected[0] >= 0);
        assertThat(steppedDown[0]).as("the old leader stepped down (at %d) before another was elected (at %d)",
                steppedDown[0], successorElected[0]).isLessThan(successorElected[0]);
    }

    /**
     * §5.1's answer to a stale append says the receiver's term, and nothing its sender could
     * mistake for news: an append of an old term, delayed past elections until its sender leads
     * again, is answered with a term the sender now leads and must not read as acknowledging
     * more than it sent in that term (found by 40,000 simulated schedules: the answer carried the
     * old append's index, and its honest sender refused it).
     */
    @Test
    void the_answer_to_a_stale_append_is_not_refused_by_its_sender_leading_again() {
        SimCluster cluster = cluster(41, 3, RaftConfig.defaults());
        SimNode leader = electedLeader(cluster);
        SimNode follower = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        long oldTerm = leader.core().term();
        for (int i = 0; i < 5; i++) {
            proposeOn(cluster, leader, "entry " + i);
        }
        cluster.runFor(ELECTION_UNITS);
        // The leader hands over and takes it back: it leads a later term, and has sent little in it.
        SimNode other = cluster.nodes().stream().filter(n -> n != leader && n != follower).findFirst().orElseThrow();
        assertThat(cluster.transferLeadership(leader, other.id())).isTrue();
        runUntil(cluster, ELECTION_UNITS, () -> other.core().role() == Role.LEADER);
        runUntil(cluster, ELECTION_UNITS, () -> cluster.transferLeadership(other, leader.id()));
        runUntil(cluster, ELECTION_UNITS, () -> leader.core().role() == Role.LEADER);
        assertThat(leader.core().term()).isGreaterThan(oldTerm);
        // An append of the old term arrives late, claiming a far index: answered from the new term.
        long far = leader.core().lastIndex() + 1_000;
        assertThat(cluster.forge(new Message.AppendRequest(leader.id(), follower.id(), oldTerm, far, oldTerm,
                List.of(), 0))).isEmpty();
        cluster.runFor(ELECTION_UNITS); // the answer reaches the leader: no honest message refused
        assertThat(leader.core().role()).isEqualTo(Role.LEADER);
    }

    /**
     * Thesis §9.6: a node that was partitioned away keeps timing out, but with pre-vote it
     * never raises its term, so when it returns the working leader keeps leading. Without
     * pre-vote the same return deposes the leader.
     */
    @Test
    void a_disruptive_rejoining_node_is_held_off_by_pre_vote() {
        SimCluster cluster = cluster(21, 3, RaftConfig.defaults());
        SimNode leader = electedLeader(cluster);
        long term = leader.core().term();
        SimNode straggler = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();

        cluster.isolate(straggler.id());
        cluster.runFor(10 * ELECTION_UNITS);
        assertThat(straggler.core().term()).as("pre-vote keeps the isolated node's term").isEqualTo(term);

        cluster.heal();
        cluster.runFor(5 * ELECTION_UNITS);
        assertThat(leader.core().role()).isEqualTo(Role.LEADER);
        assertThat(leader.core().term()).isEqualTo(term);
        assertThat(straggler.core().leader()).isEqualTo(leader.id());
    }

    @Test
    void without_pre_vote_the_same_rejoining_node_deposes_the_leader() {
        SimCluster cluster = cluster(21, 3, RaftConfig.defaults().withPreVote(false));
        SimNode leader = electedLeader(cluster);
        long term = leader.core().term();
        SimNode straggler = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();

        cluster.isolate(straggler.id());
        cluster.runFor(10 * ELECTION_UNITS);
        assertThat(straggler.core().term()).isGreaterThan(term);

        cluster.heal();
        cluster.runFor(5 * ELECTION_UNITS);
        assertThat(cluster.leader().core().term()).as("the term moved on: the old leader was deposed")
                .isGreaterThan(term);
    }

    /**
     * A membership change that the leader appends just before it is partitioned never
     * commits; the majority elects a leader that knows only the committed configuration and
     * changes it again; when the old leader returns, its uncommitted configuration is replaced
     * and every node agrees.
     */
    @Test
    void a_membership_change_while_the_leader_is_partitioned_is_replaced_by_the_majority() {
        SimCluster cluster = cluster(31, 3, RaftConfig.defaults());
        SimNode old = electedLeader(cluster);
        cluster.runFor(ELECTION_UNITS); // let the leader commit its no-op, so it may change the configuration
        SimNode follower = cluster.nodes().stream().filter(n -> n != old).findFirst().orElseThrow();

        cluster.isolate(old.id());
        ProposeResult removal = cluster.changeConfiguration(old, ConfigChange.remove(follower.id()));
        assertThat(removal).isInstanceOf(ProposeResult.Accepted.class);
        // Thesis §4.1: the new configuration is in effect on the old leader as soon as it is appended.
        assertThat(old.core().configuration().isVoter(follower.id())).isFalse();
        assertThat(cluster.changeConfiguration(old, ConfigChange.addLearner(NodeId.of("n4"))))
                .as("one change at a time").isEqualTo(new ProposeResult.Rejected(
                        ProposeResult.Reason.CONFIG_CHANGE_PENDING, old.id()));

        runUntil(cluster, 10 * ELECTION_UNITS, () -> cluster.leader() != null && cluster.leader() != old);
        SimNode fresh = cluster.leader();
        assertThat(fresh.core().configuration().isVoter(follower.id())).isTrue();
        runUntil(cluster, ELECTION_UNITS, () -> cluster.changeConfiguration(fresh,
                ConfigChange.addLearner(NodeId.of("n4"))).accepted());
        cluster.addNode(NodeId.of("n4"));
        cluster.heal();

        runUntil(cluster, 20 * ELECTION_UNITS, () -> cluster.nodes().stream().allMatch(node ->
                node.core().configuration().equals(fresh.core().configuration())
                        && node.core().commitIndex() == fresh.core().commitIndex()));
        assertThat(fresh.core().configuration().voters()).contains(follower.id(), old.id());
        assertThat(fresh.core().configuration().learners()).containsExactly(NodeId.of("n4"));
    }
}
