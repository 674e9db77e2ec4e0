package io.clustermode.raft;

import io.clustermode.NodeId;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Quorum} against naive references: the agreed value against every subset of voters of
 * the quorum's size, the vote result against counting granted and refused votes as the core
 * did before it had one quorum function.
 */
class QuorumTest {

    /** Voters with a value each (small values, so ties are common), and a quorum size that may exceed them. */
    record Case(Map<NodeId, Long> values, int size) {
    }

    /** Voters with a vote each: granted, refused, or no answer (absent from the map). */
    record Votes(List<NodeId> electorate, Map<NodeId, Boolean> votes, int size) {
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.longs().between(0, 12).list().ofMaxSize(9).flatMap(values ->
                Arbitraries.integers().between(1, values.size() + 2).map(size -> new Case(byId(values), size)));
    }

    @Provide
    Arbitrary<Votes> votes() {
        Arbitrary<Boolean> vote = Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.4);
        return vote.list().ofMaxSize(9).flatMap(answers -> Combinators.combine(
                Arbitraries.integers().between(1, answers.size() + 2), Arbitraries.of(true, false)).as((size, stray) -> {
                    List<NodeId> electorate = new ArrayList<>();
                    Map<NodeId, Boolean> votes = new TreeMap<>();
                    for (int i = 0; i < answers.size(); i++) {
                        NodeId voter = NodeId.of("n" + i);
                        electorate.add(voter);
                        if (answers.get(i) != null) {
                            votes.put(voter, answers.get(i));
                        }
                    }
                    if (stray) {
                        // A vote from outside the electorate (a learner's, say) must not count.
                        votes.put(NodeId.of("outsider"), true);
                    }
                    return new Votes(electorate, votes, size);
                }));
    }

    @Property(tries = 2000)
    void the_agreed_value_is_the_best_that_some_quorum_of_voters_all_reached(@ForAll("cases") Case c) {
        assertThat(Quorum.agreed(c.values().keySet(), c.size(), c.values()::get))
                .isEqualTo(bestMinimumOverSubsets(new ArrayList<>(c.values().values()), c.size()));
    }

    @Property(tries = 2000)
    void reached_means_a_quorum_of_voters_pass_the_test(@ForAll("cases") Case c) {
        long passing = c.values().values().stream().filter(v -> v % 2 == 0).count();
        assertThat(Quorum.reached(c.values().keySet(), c.size(), id -> c.values().get(id) % 2 == 0))
                .isEqualTo(passing >= c.size());
    }

    @Property(tries = 2000)
    void the_vote_result_is_what_counting_votes_gives(@ForAll("votes") Votes v) {
        int granted = 0;
        int refused = 0;
        for (NodeId voter : v.electorate()) {
            Boolean vote = v.votes().get(voter);
            if (vote != null && vote) {
                granted++;
            } else if (vote != null) {
                refused++;
            }
        }
        Quorum.VoteResult expected = granted >= v.size() ? Quorum.VoteResult.WON
                : refused > v.electorate().size() - v.size() ? Quorum.VoteResult.LOST : Quorum.VoteResult.PENDING;
        assertThat(Quorum.voteResult(v.electorate(), v.size(), v.votes())).isEqualTo(expected);
    }

    @Example
    void the_commit_index_of_three_voters_is_the_middle_match() {
        Map<NodeId, Long> match = byId(List.of(7L, 3L, 5L));
        assertThat(Quorum.agreed(match.keySet(), 2, match::get)).isEqualTo(5);
        assertThat(Quorum.agreed(match.keySet(), 3, match::get)).isEqualTo(3);
        assertThat(Quorum.agreed(match.keySet(), 1, match::get)).isEqualTo(7);
    }

    @Example
    void no_voters_agree_on_nothing_and_win_nothing() {
        assertThat(Quorum.agreed(List.of(), 1, id -> 5)).isZero();
        assertThat(Quorum.voteResult(List.of(), 1, Map.of())).isEqualTo(Quorum.VoteResult.LOST);
    }

    @Example
    void a_quorum_must_be_positive_and_values_not_negative() {
        assertThatThrownBy(() -> Quorum.agreed(List.of(NodeId.of("a")), 0, id -> 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quorum.agreed(List.of(NodeId.of("a")), 1, id -> -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<NodeId, Long> byId(List<Long> values) {
        Map<NodeId, Long> byId = new TreeMap<>();
        for (int i = 0; i < values.size(); i++) {
            byId.put(NodeId.of("n" + i), values.get(i));
        }
        return byId;
    }

    /** The largest minimum of any {@code size} of the values; 0 when there are fewer values than that. */
    private static long bestMinimumOverSubsets(List<Long> values, int size) {
        long best = 0;
        for (int subset = 0; subset < 1 << values.size(); subset++) {
            if (Integer.bitCount(subset) != size) {
                continue;
            }
            long min = Long.MAX_VALUE;
            for (int i = 0; i < values.size(); i++) {
                if ((subset & 1 << i) != 0) {
                    min = Math.min(min, values.get(i));
                }
            }
            best = Math.max(best, min);
        }
        return best;
    }
}
