package io.clustermode.raft;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RaftLogTest {

    private static final SnapshotMeta EMPTY = new SnapshotMeta(0, 0, Configuration.EMPTY);

    private static Entry cmd(long index, long term) {
        return Entry.command(index, term, new byte[] {(byte) index});
    }

    private static RaftLog logOf(long... terms) {
        RaftLog log = new RaftLog(EMPTY, List.of(), 0);
        for (int i = 0; i < terms.length; i++) {
            log.append(cmd(i + 1, terms[i]));
        }
        log.stableTo(log.lastIndex());
        return log;
    }

    @Test
    void an_empty_log_matches_index_zero_term_zero() {
        RaftLog log = logOf();
        assertThat(log.matchTerm(0, 0)).isTrue();
        assertThat(log.lastIndex()).isZero();
        assertThat(log.term(1)).isEqualTo(RaftLog.UNKNOWN);
    }

    @Test
    void entries_the_log_already_holds_are_not_cut_by_an_older_reordered_append() {
        RaftLog log = logOf(1, 1, 1, 1);
        boolean truncated = log.appendFromLeader(1, List.of(cmd(2, 1)));
        assertThat(truncated).isFalse();
        assertThat(log.lastIndex()).isEqualTo(4);
    }

    @Test
    void a_conflicting_entry_and_everything_after_it_is_replaced() {
        RaftLog log = logOf(1, 1, 2, 2);
        boolean truncated = log.appendFromLeader(2, List.of(cmd(3, 3)));
        assertThat(truncated).isTrue();
        assertThat(log.lastIndex()).isEqualTo(3);
        assertThat(log.term(3)).isEqualTo(3);
        assertThat(log.stableIndex()).isEqualTo(2);
        assertThat(log.unstableEntries()).extracting(Entry::index).containsExactly(3L);
    }

    @Test
    void replacing_a_committed_entry_is_refused_as_impossible() {
        RaftLog log = logOf(1, 1, 2);
        log.commitTo(3);
        assertThatThrownBy(() -> log.appendFromLeader(2, List.of(cmd(3, 3))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("committed");
    }

    @Test
    void the_commit_index_never_moves_back() {
        RaftLog log = logOf(1, 1, 1);
        assertThat(log.commitTo(3)).isTrue();
        assertThat(log.commitTo(2)).isFalse();
        assertThat(log.commitIndex()).isEqualTo(3);
    }

    @Test
    void up_to_date_compares_last_term_then_length() {
        RaftLog log = logOf(1, 2, 2);
        assertThat(log.isUpToDate(1, 3)).isTrue();
        assertThat(log.isUpToDate(3, 2)).isTrue();
        assertThat(log.isUpToDate(2, 2)).isFalse();
        assertThat(log.isUpToDate(9, 1)).isFalse();
    }

    @Test
    void compaction_keeps_the_term_of_the_compaction_point() {
        RaftLog log = logOf(1, 1, 2, 2);
        log.commitTo(3);
        log.appliedTo(3);
        log.compact(new SnapshotMeta(3, 2, Configuration.EMPTY));
        assertThat(log.term(3)).isEqualTo(2);
        assertThat(log.term(2)).isEqualTo(RaftLog.UNKNOWN);
        assertThat(log.firstIndex()).isEqualTo(4);
        assertThat(log.entry(4).term()).isEqualTo(2);
    }

    @Test
    void restoring_a_snapshot_keeps_a_matching_suffix_and_drops_a_conflicting_log() {
        RaftLog matching = logOf(1, 1, 2, 2);
        matching.restore(new SnapshotMeta(2, 1, Configuration.EMPTY));
        assertThat(matching.lastIndex()).isEqualTo(4);
        assertThat(matching.commitIndex()).isEqualTo(2);

        RaftLog conflicting = logOf(1, 1, 2, 2);
        conflicting.restore(new SnapshotMeta(3, 3, Configuration.EMPTY));
        assertThat(conflicting.lastIndex()).isEqualTo(3);
        assertThat(conflicting.lastTerm()).isEqualTo(3);
    }

    @Test
    void conflict_hints_point_at_the_start_of_the_conflicting_term() {
        RaftLog log = logOf(1, 2, 2, 2, 3);
        assertThat(log.firstIndexOfTermAt(4)).isEqualTo(2);
        assertThat(log.lastIndexOfTerm(2, 5)).isEqualTo(4);
        assertThat(log.lastIndexOfTerm(7, 5)).isEqualTo(RaftLog.UNKNOWN);
    }

    @Test
    void a_stored_log_with_a_gap_is_refused() {
        assertThatThrownBy(() -> new RaftLog(EMPTY, List.of(cmd(1, 1), cmd(3, 1)), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not contiguous");
    }
}
