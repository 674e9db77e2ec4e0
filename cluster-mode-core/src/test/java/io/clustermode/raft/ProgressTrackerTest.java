package io.clustermode.raft;

import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The transitions of a follower's progress, as the leader's {@link ProgressTracker} makes them. */
class ProgressTrackerTest {

    private static final NodeId LEADER = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId D = NodeId.of("d");

    private final ProgressTracker tracker = new ProgressTracker(LEADER);
    private final Configuration three = Configuration.ofVoters(LEADER, B, C);

    private static List<Entry> entries(long first, long last) {
        List<Entry> entries = new ArrayList<>();
        for (long i = first; i <= last; i++) {
            entries.add(Entry.noop(i, 1));
        }
        return entries;
    }

    @Test
    void when_the_configuration_changes_then_members_are_tracked_and_the_removed_forgotten() {
        tracker.sync(three, 10);
        assertThat(tracker.get(LEADER)).as("the leader does not track itself").isNull();
        assertThat(tracker.get(B).next).isEqualTo(11);
        tracker.get(B).sent(10);
        tracker.sync(three.apply(ConfigChange.remove(C)).apply(ConfigChange.addLearner(D)), 12);
        assertThat(tracker.get(C)).isNull();
        assertThat(tracker.get(D).next).isEqualTo(13);
        assertThat(tracker.get(B).sentUpTo).as("a member that stays keeps its progress").isEqualTo(10);
    }

    @Test
    void when_a_probe_is_acknowledged_then_appends_are_pipelined_up_to_the_inflight_limit() {
        tracker.sync(three, 10);
        Progress b = tracker.get(B);
        tracker.appendSent(b, 10, List.of());
        assertThat(b.paused(2)).as("one probe at a time").isTrue();
        assertThat(tracker.acknowledged(b, 10)).isTrue();
        assertThat(b.state).isEqualTo(Progress.State.REPLICATE);
        tracker.appendSent(b, 10, entries(11, 12));
        tracker.appendSent(b, 12, entries(13, 13));
        assertThat(b.next).isEqualTo(14);
        assertThat(b.paused(2)).isTrue();
        assertThat(tracker.acknowledged(b, 12)).isTrue();
        assertThat(b.paused(2)).isFalse();
        assertThat(tracker.acknowledged(b, 11)).as("an old acknowledgement is no news").isFalse();
    }

    @Test
    void when_a_replicating_follower_makes_no_progress_for_a_heartbeat_round_then_it_is_probed_again() {
        tracker.sync(three, 10);
        Progress b = tracker.get(B);
        tracker.acknowledged(b, 10);
        tracker.appendSent(b, 10, entries(11, 12));
        assertThat(tracker.heartbeatAnswered(b, 1, 12)).as("the first round sets the mark").isFalse();
        assertThat(tracker.heartbeatAnswered(b, 2, 12)).isTrue();
        assertThat(b.state).isEqualTo(Progress.State.PROBE);
        assertThat(b.next).isEqualTo(11);
        assertThat(b.ackedSequence).isEqualTo(2);
    }

    @Test
    void when_a_snapshot_is_sent_then_chunks_follow_the_follower_and_installation_ends_it() {
        tracker.sync(three, 10);
        Progress b = tracker.get(B);
        assertThat(tracker.snapshotChunkSending(b, 8)).isZero();
        assertThat(b.state).isEqualTo(Progress.State.SNAPSHOT);
        assertThat(tracker.snapshotChunkTaken(b, 7, 100)).as("another snapshot's answer").isFalse();
        assertThat(tracker.snapshotChunkTaken(b, 8, 100)).isTrue();
        assertThat(tracker.snapshotChunkSending(b, 8)).isEqualTo(100);
        tracker.snapshotInstalled(b, 8);
        assertThat(b.state).isEqualTo(Progress.State.PROBE);
        assertThat(b.match).isEqualTo(8);
        assertThat(b.next).isEqualTo(9);
    }

    @Test
    void quorum_questions_count_the_leader_and_ignore_learners() {
        Configuration withLearner = three.apply(ConfigChange.addLearner(D));
        tracker.sync(withLearner, 10);
        tracker.acknowledged(tracker.get(D), 10);
        tracker.acknowledged(tracker.get(B), 7);
        assertThat(tracker.committed(withLearner, withLearner.quorum(), 9)).isEqualTo(7);
        assertThat(tracker.committed(withLearner, 1, 9)).isEqualTo(9);
        tracker.heartbeatAnswered(tracker.get(D), 5, 10);
        assertThat(tracker.confirmedRound(withLearner, 5)).as("a learner's answer confirms nothing").isZero();
        // Check-quorum over a sliding window: everyone counts as heard when first tracked (tick 0).
        for (int i = 0; i < 5; i++) {
            tracker.tick();
        }
        assertThat(tracker.quorumContact(withLearner)).isZero();
        tracker.heardFrom(D);
        assertThat(tracker.quorumContact(withLearner)).as("a learner is no part of a quorum").isZero();
        tracker.heardFrom(C);
        assertThat(tracker.quorumContact(withLearner)).as("the leader and C, a majority of three").isEqualTo(5);
        tracker.tick();
        tracker.heardFrom(B);
        assertThat(tracker.quorumContact(withLearner)).as("the second most recent of the voters").isEqualTo(6);
        assertThat(tracker.caughtUpVoter(withLearner, 10)).as("D holds it all, but is a learner").isNull();
    }
}
