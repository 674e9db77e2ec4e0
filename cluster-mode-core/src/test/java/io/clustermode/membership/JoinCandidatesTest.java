package io.clustermode.membership;

import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JoinCandidatesTest {

    private static NodeId id(int i) {
        return NodeId.of("j" + i);
    }

    @Test
    void a_candidate_is_news_once_and_again_only_at_another_address() {
        JoinCandidates candidates = new JoinCandidates(64, 100);
        assertThat(candidates.offer(id(1), "10.0.0.1:7600", 0)).isTrue();
        assertThat(candidates.offer(id(1), "10.0.0.1:7600", 10)).isFalse();
        assertThat(candidates.offer(id(1), "10.0.0.9:7600", 20)).isTrue();
        assertThat(candidates.current(20)).containsExactly(java.util.Map.entry(id(1), "10.0.0.9:7600"));
    }

    @Test
    void a_candidate_not_heard_from_within_the_expiry_is_forgotten_and_one_that_asks_again_is_kept() {
        JoinCandidates candidates = new JoinCandidates(64, 100);
        candidates.offer(id(1), "a:1", 0);
        candidates.offer(id(2), "b:1", 0);
        candidates.offer(id(2), "b:1", 60); // asks again
        assertThat(candidates.current(99)).containsOnlyKeys(id(1), id(2));
        assertThat(candidates.current(100)).containsOnlyKeys(id(2));
        assertThat(candidates.current(159)).containsOnlyKeys(id(2));
        assertThat(candidates.current(160)).isEmpty();
        assertThat(candidates.size()).isZero();
        // Forgotten for good: asking again is news.
        assertThat(candidates.offer(id(1), "a:1", 200)).isTrue();
    }

    @Test
    void at_most_capacity_are_kept_and_the_one_heard_from_longest_ago_goes_first() {
        JoinCandidates candidates = new JoinCandidates(JoinCandidates.DEFAULT_CAPACITY, 1_000_000);
        for (int i = 0; i < 64; i++) {
            candidates.offer(id(i), "h" + i + ":1", i);
        }
        candidates.offer(id(0), "h0:1", 100); // j0 asks again: now j1 is the oldest
        for (int i = 64; i < 1_000; i++) {
            candidates.offer(id(i), "h" + i + ":1", i + 100);
            assertThat(candidates.size()).isLessThanOrEqualTo(64);
        }
        assertThat(candidates.current(2_000)).hasSize(64).containsKey(id(999)).doesNotContainKey(id(1));
        // j0 was refreshed once, then outlived by 936 newer candidates: gone too.
        assertThat(candidates.current(2_000)).doesNotContainKey(id(0));
        JoinCandidates small = new JoinCandidates(2, 1_000);
        small.offer(id(1), "a:1", 0);
        small.offer(id(2), "b:1", 1);
        small.offer(id(1), "a:1", 2);
        small.offer(id(3), "c:1", 3);
        assertThat(small.current(4)).containsOnlyKeys(id(1), id(3));
    }

    @Test
    void forget_drops_a_candidate_and_bad_settings_are_refused() {
        JoinCandidates candidates = new JoinCandidates(4, 100);
        candidates.offer(id(1), "a:1", 0);
        candidates.forget(id(1));
        candidates.forget(id(2));
        assertThat(candidates.current(1)).isEmpty();
        assertThatThrownBy(() -> new JoinCandidates(0, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JoinCandidates(4, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
