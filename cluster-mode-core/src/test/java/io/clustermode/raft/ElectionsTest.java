package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.VoteRequest;
import io.clustermode.raft.Message.VoteResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The election rules one node follows, as {@link Elections} decides them. */
class ElectionsTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId D = NodeId.of("d");
    private static final Configuration ABC = Configuration.ofVoters(A, B, C);

    /** Node b, its log at index 2 of term 2. */
    private static Elections ofB(Canary... broken) {
        RaftLog log = new RaftLog(new SnapshotMeta(0, 0, Configuration.EMPTY),
                List.of(Entry.configuration(1, 1, ABC), Entry.noop(2, 2)), 1);
        RaftConfig config = RaftConfig.defaults().withCanaries(Set.of(broken));
        return new Elections(B, config, new Random(7), log);
    }

    private static VoteRequest vote(NodeId from, long term, long lastIndex, long lastTerm) {
        return new VoteRequest(from, B, term, lastIndex, lastTerm, false, false);
    }

    private static VoteRequest preVote(NodeId from, long term, long lastIndex, long lastTerm) {
        return new VoteRequest(from, B, term, lastIndex, lastTerm, true, false);
    }

    @Test
    void when_a_vote_was_given_in_a_term_then_another_candidate_is_refused() {
        Elections b = ofB();
        assertThat(b.answer(vote(A, 3, 2, 2), 3, null, null, Role.FOLLOWER).granted()).isTrue();
        assertThat(b.answer(vote(C, 3, 2, 2), 3, A, null, Role.FOLLOWER).granted()).as("§5.2").isFalse();
        assertThat(b.answer(vote(A, 3, 2, 2), 3, A, null, Role.FOLLOWER).granted()).as("asked again").isTrue();
        assertThat(ofB(Canary.VOTE_TWICE).answer(vote(C, 3, 2, 2), 3, A, null, Role.FOLLOWER).granted()).isTrue();
    }

    @Test
    void when_the_candidate_lacks_entries_this_node_has_then_the_vote_is_refused() {
        Elections b = ofB();
        assertThat(b.answer(vote(A, 3, 5, 1), 3, null, null, Role.FOLLOWER).granted()).as("§5.4.1").isFalse();
        assertThat(b.answer(vote(A, 3, 1, 2), 3, null, null, Role.FOLLOWER).granted()).isFalse();
        assertThat(ofB(Canary.IGNORE_LOG_IN_VOTE).answer(vote(A, 3, 5, 1), 3, null, null, Role.FOLLOWER).granted())
                .isTrue();
    }

    @Test
    void when_a_pre_vote_is_granted_then_it_answers_in_the_term_asked_and_binds_nothing() {
        Elections b = ofB();
        VoteResponse answer = b.answer(preVote(A, 3, 2, 2), 2, C, C, Role.FOLLOWER);
        assertThat(answer.granted()).isTrue();
        assertThat(answer.term()).isEqualTo(3);
        assertThat(b.answer(preVote(A, 2, 2, 2), 2, C, C, Role.FOLLOWER).granted())
                .as("a pre-vote for the current term binds like a vote").isFalse();
    }

    @Test
    void when_two_pre_candidates_have_equal_logs_then_only_the_smaller_id_gets_the_others_pre_vote() {
        Elections b = ofB();
        // b voted for d in term 2, so only the pre-vote rule can grant.
        assertThat(b.answer(preVote(A, 3, 2, 2), 2, D, null, Role.PRE_CANDIDATE).granted()).isTrue();
        assertThat(b.answer(preVote(C, 3, 2, 2), 2, D, null, Role.PRE_CANDIDATE).granted()).isFalse();
        assertThat(b.answer(preVote(C, 3, 2, 2), 2, D, null, Role.FOLLOWER).granted()).as("not competing").isTrue();
        assertThat(b.answer(preVote(C, 3, 3, 2), 2, D, null, Role.PRE_CANDIDATE).granted())
                .as("a better log gets it").isTrue();
    }

    @Test
    void when_the_leader_falls_silent_then_its_lease_ends_after_an_election_timeout() {
        Elections b = ofB();
        int electionTicks = RaftConfig.defaults().electionTicks();
        for (int i = 1; i < electionTicks; i++) {
            b.tick();
            assertThat(b.inLease(A)).isTrue();
            assertThat(b.leaseEndedNow()).isFalse();
        }
        b.tick();
        assertThat(b.leaseEndedNow()).isTrue();
        assertThat(b.inLease(A)).isFalse();
        assertThat(b.inLease(null)).as("no leader, no lease").isFalse();
        b.leaderHeard();
        assertThat(b.inLease(A)).isTrue();
    }

    @Test
    void when_a_campaign_starts_then_every_other_voter_is_asked_and_a_majority_wins() {
        Configuration withLearner = ABC.apply(ConfigChange.addLearner(D));
        Elections b = ofB();
        List<VoteRequest> requests = b.campaign(withLearner, 3, false, false);
        assertThat(requests).extracting(VoteRequest::to).containsExactly(A, C);
        assertThat(requests.get(0).lastLogIndex()).isEqualTo(2);
        assertThat(b.result(withLearner)).isEqualTo(Quorum.VoteResult.PENDING);
        assertThat(b.count(new VoteResponse(D, B, 3, false, true), withLearner))
                .as("a learner's vote does not count").isEqualTo(Quorum.VoteResult.PENDING);
        assertThat(b.count(new VoteResponse(A, B, 3, false, false), withLearner)).isEqualTo(Quorum.VoteResult.PENDING);
        assertThat(b.count(new VoteResponse(C, B, 3, false, false), withLearner)).isEqualTo(Quorum.VoteResult.LOST);

        Elections broken = ofB(Canary.LEARNER_VOTES);
        assertThat(broken.campaign(withLearner, 3, false, false)).extracting(VoteRequest::to).containsExactly(A, C, D);
        assertThat(broken.count(new VoteResponse(D, B, 3, false, true), withLearner)).isEqualTo(Quorum.VoteResult.WON);
    }

    @Test
    void when_the_leader_is_lost_then_survivors_campaign_in_turn_by_id() {
        Elections b = ofB();
        b.takeTurnAfter(C, ABC);
        assertThat(b.ticksUntilTimeout()).as("a precedes b").isEqualTo(2);
        b.takeTurnAfter(A, ABC);
        assertThat(b.ticksUntilTimeout()).as("b is first among b and c").isEqualTo(1);
    }

    /** Ticks until {@code elections} times out, predicted and counted; fails if the prediction is wrong. */
    private static int ticksToTimeout(Elections elections) {
        int predicted = elections.ticksUntilTimeout();
        for (int ticks = 1; ticks <= 1000; ticks++) {
            elections.tick();
            if (elections.timedOut()) {
                assertThat(ticks).as("ticksUntilTimeout").isEqualTo(predicted);
                return ticks;
            }
        }
        throw new AssertionError("no timeout in 1000 ticks");
    }

    @Test
    void an_unhealthy_node_campaigns_after_three_timeouts_of_silence_that_new_terms_do_not_end() {
        Elections b = ofB();
        int electionTicks = RaftConfig.defaults().electionTicks();
        assertThat(ticksToTimeout(b)).isBetween(electionTicks, 2 * electionTicks - 1);
        Elections slow = ofB();
        slow.campaignSlowly(true);
        for (int i = 0; i < 2 * electionTicks; i++) {
            slow.tick();
            assertThat(slow.timedOut()).isFalse();
            if (i % 5 == 4) {
                slow.restart(); // others' campaigns raise the term: no leader, the silence goes on
            }
        }
        slow.leaderHeard(); // a leader: the silence starts over
        int ticks = ticksToTimeout(slow);
        assertThat(ticks).isGreaterThanOrEqualTo(3 * electionTicks);
        slow.campaignSlowly(false);
        assertThat(ticksToTimeout(slow)).isLessThan(2 * electionTicks);
    }
}
