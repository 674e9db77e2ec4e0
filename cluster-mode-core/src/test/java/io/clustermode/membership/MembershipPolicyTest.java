package io.clustermode.membership;

import io.clustermode.NodeId;
import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Configuration;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The primary's rules for contacts — nodes that asked to be added and were found at the address
 * they gave — beside the discovered nodes: the same limits, and the same removal rule.
 */
class MembershipPolicyTest {

    private static final NodeId P = NodeId.of("a");
    private static final NodeId S1 = NodeId.of("b");
    private static final NodeId S2 = NodeId.of("c");
    private static final NodeId J = NodeId.of("j");
    private static final long GRACE = 1_000;

    private final Map<NodeId, Long> heardAt = new HashMap<>();
    private final List<NodeId> refused = new ArrayList<>();

    private MembershipPolicy policy(int voters, int maxNodes) {
        return new MembershipPolicy(P, voters, maxNodes, GRACE, 100);
    }

    private Optional<ConfigChange> next(MembershipPolicy policy, Configuration configuration, Set<NodeId> discovered,
                                        Set<NodeId> contacts, long now) {
        return policy.next(configuration, discovered, contacts, now, id -> {
            Long at = heardAt.get(id);
            return at == null ? OptionalLong.empty() : OptionalLong.of(now - at);
        }, refused::add);
    }

    private static Configuration threeVoters() {
        return Configuration.ofVoters(P, S1, S2);
    }

    private static Set<NodeId> ids(NodeId... ids) {
        return new TreeSet<>(List.of(ids));
    }

    @Test
    void a_contact_is_added_as_a_learner_after_the_discovered_nodes() {
        MembershipPolicy policy = policy(5, 20);
        NodeId discoveredNode = NodeId.of("z");
        assertThat(next(policy, threeVoters(), ids(P, S1, S2, discoveredNode), ids(J), 0))
                .hasValue(ConfigChange.addLearner(discoveredNode));
        assertThat(next(policy, threeVoters(), ids(P, S1, S2), ids(J), 0)).hasValue(ConfigChange.addLearner(J));
        // Discovery failed this round: nothing is removed, but a contact is still added.
        assertThat(next(policy, threeVoters(), null, ids(J), 0)).hasValue(ConfigChange.addLearner(J));
        assertThat(next(policy, threeVoters(), ids(P, S1, S2), ids(), 0)).isEmpty();
    }

    @Test
    void a_contact_beyond_max_nodes_is_refused_and_told_to_the_caller() {
        MembershipPolicy policy = policy(5, 3);
        assertThat(next(policy, threeVoters(), ids(P, S1, S2), ids(J), 0)).isEmpty();
        assertThat(refused).containsExactly(J);
    }

    @Test
    void a_contact_learner_is_promoted_when_voters_are_wanted_and_kept_a_learner_when_that_would_make_them_even() {
        Configuration four = threeVoters().apply(ConfigChange.addLearner(J));
        heardAt.put(J, 0L);
        // Four members, voters 5: three voters is the odd count below four, so J stays a learner.
        assertThat(next(policy(5, 20), four, ids(P, S1, S2), ids(), 10)).isEmpty();
        Configuration five = four.apply(ConfigChange.addLearner(NodeId.of("k")));
        heardAt.put(NodeId.of("k"), 0L);
        assertThat(next(policy(5, 20), five, ids(P, S1, S2), ids(), 10)).hasValue(ConfigChange.promote(J));
    }

    @Test
    void a_joined_member_that_goes_away_is_removed_after_the_grace_and_a_live_one_never() {
        MembershipPolicy policy = policy(5, 20);
        Configuration four = threeVoters().apply(ConfigChange.addLearner(J));
        heardAt.put(S1, 0L);
        heardAt.put(S2, 0L);
        // Live: it answers heartbeats, so it is never removed, however long it is not discovered.
        for (long now = 0; now <= 10 * GRACE; now += 100) {
            heardAt.put(J, now);
            heardAt.put(S1, now);
            heardAt.put(S2, now);
            assertThat(next(policy, four, ids(P, S1, S2), ids(), now)).as("at " + now).isEmpty();
        }
        // Gone: silent from now on; removed once missing and silent for the grace, not before.
        long died = 10 * GRACE;
        for (long now = died; now < died + GRACE; now += 100) {
            heardAt.put(S1, now);
            heardAt.put(S2, now);
            assertThat(next(policy, four, ids(P, S1, S2), ids(), now)).as("at " + now).isEmpty();
        }
        assertThat(next(policy, four, ids(P, S1, S2), ids(), died + GRACE)).hasValue(ConfigChange.remove(J));
    }

    @Test
    void a_member_that_asks_again_counts_as_present_and_a_failed_lookup_removes_nobody() {
        MembershipPolicy policy = policy(5, 20);
        Configuration four = threeVoters().apply(ConfigChange.addLearner(J));
        heardAt.put(S1, 0L);
        heardAt.put(S2, 0L);
        // Never heard from (its process was replaced), but found at its address this round.
        assertThat(next(policy, four, ids(P, S1, S2), ids(J), 0)).isEmpty();
        assertThat(next(policy, four, ids(P, S1, S2), ids(J), 5 * GRACE)).isEmpty();
        // Not found any more: the grace starts now.
        assertThat(next(policy, four, ids(P, S1, S2), ids(), 5 * GRACE)).isEmpty();
        assertThat(next(policy, four, null, ids(), 7 * GRACE)).isEmpty();
        heardAt.put(S1, 7 * GRACE);
        heardAt.put(S2, 7 * GRACE);
        assertThat(next(policy, four, ids(P, S1, S2), ids(), 7 * GRACE)).hasValue(ConfigChange.remove(J));
    }
}
