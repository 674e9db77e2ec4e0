package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.InstallSnapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a follower joins a snapshot's chunks (§7). */
class SnapshotReceiverTest {

    private static final NodeId LEADER = NodeId.of("a");
    private static final NodeId SELF = NodeId.of("b");
    private static final SnapshotMeta META = new SnapshotMeta(9, 2, Configuration.ofVoters(LEADER, SELF));
    private static final SnapshotMeta NEWER = new SnapshotMeta(12, 2, Configuration.ofVoters(LEADER, SELF));

    private final SnapshotReceiver receiver = new SnapshotReceiver(10);

    private static InstallSnapshot chunk(SnapshotMeta meta, long offset, String bytes, boolean done) {
        return new InstallSnapshot(LEADER, SELF, 2, meta, offset, bytes.getBytes(), done);
    }

    @Test
    void when_chunks_arrive_in_order_then_the_last_one_yields_the_snapshot() {
        assertThat(receiver.take(chunk(META, 0, "abc", false))).isNull();
        assertThat(receiver.nextOffset(chunk(META, 0, "", false))).isEqualTo(3);
        Snapshot snapshot = receiver.take(chunk(META, 3, "de", true));
        assertThat(snapshot.meta()).isEqualTo(META);
        assertThat(new String(snapshot.data())).isEqualTo("abcde");
        assertThat(receiver.nextOffset(chunk(META, 0, "", false))).as("nothing in progress any more").isZero();
    }

    @Test
    void when_a_chunk_is_missed_then_the_follower_asks_for_the_offset_it_holds() {
        receiver.take(chunk(META, 0, "abc", false));
        assertThat(receiver.take(chunk(META, 5, "fg", true))).isNull();
        assertThat(receiver.nextOffset(chunk(META, 0, "", false))).isEqualTo(3);
        assertThat(receiver.take(chunk(NEWER, 3, "de", true))).as("another snapshot's chunk").isNull();
        assertThat(receiver.nextOffset(chunk(NEWER, 0, "", false))).isZero();
        assertThat(receiver.take(chunk(META, 3, "de", true)).data()).hasSize(5);
    }

    @Test
    void when_a_chunk_starts_at_zero_then_the_snapshot_starts_over() {
        receiver.take(chunk(META, 0, "abc", false));
        receiver.take(chunk(NEWER, 0, "xy", false));
        assertThat(receiver.nextOffset(chunk(META, 0, "", false))).isZero();
        assertThat(new String(receiver.take(chunk(NEWER, 2, "z", true)).data())).isEqualTo("xyz");
    }

    @Test
    void when_a_chunk_reaches_beyond_the_bound_then_it_is_refused() {
        assertThat(receiver.refusal(chunk(META, 7, "abc", false))).isNull();
        assertThat(receiver.refusal(chunk(META, 8, "abc", false))).contains("maxSnapshotBytes (10)");
    }

    @Test
    void chunks_of_the_same_snapshot_from_another_leader_or_term_are_not_joined() {
        receiver.take(chunk(META, 0, "abc", false));
        InstallSnapshot otherLeader = new InstallSnapshot(NodeId.of("c"), SELF, 2, META, 3, "XY".getBytes(), true);
        assertThat(receiver.take(otherLeader)).as("same metadata, another sender").isNull();
        assertThat(receiver.nextOffset(otherLeader)).as("it starts over").isZero();
        InstallSnapshot laterTerm = new InstallSnapshot(LEADER, SELF, 3, META, 3, "XY".getBytes(), true);
        assertThat(receiver.take(laterTerm)).as("same sender, a later term").isNull();
        assertThat(new String(receiver.take(chunk(META, 3, "de", true)).data())).isEqualTo("abcde");
    }
}
