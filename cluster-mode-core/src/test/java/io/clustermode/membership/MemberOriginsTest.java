package io.clustermode.membership;

import io.clustermode.NodeId;
import io.clustermode.membership.MemberDirectory.Entry;
import io.clustermode.membership.MemberDirectory.Origin;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MemberOriginsTest {

    private static final NodeId P = NodeId.of("p");
    private static final NodeId S = NodeId.of("s");
    private static final NodeId J = NodeId.of("j");

    private static MemberDirectory directory(NodeId primary, Origin ofJ) {
        return new MemberDirectory(primary, false, List.of(new Entry(J, "j:7600", ofJ),
                new Entry(P, "p:7600", Origin.BOOTSTRAP)));
    }

    @Test
    void the_primary_s_word_wins_another_member_s_only_fills_a_gap_and_unknown_changes_nothing() {
        MemberOrigins origins = new MemberOrigins();
        assertThat(origins.of(J)).isEqualTo(Origin.UNKNOWN);
        origins.learn(S, directory(P, Origin.DISCOVERY)); // a secondary's word: fills the gap
        assertThat(origins.of(J)).isEqualTo(Origin.DISCOVERY);
        assertThat(origins.of(P)).isEqualTo(Origin.BOOTSTRAP);
        origins.learn(S, directory(P, Origin.CONTACT)); // another secondary's word: no more than that
        assertThat(origins.of(J)).isEqualTo(Origin.DISCOVERY);
        origins.learn(P, directory(P, Origin.CONTACT)); // the primary's own
        assertThat(origins.of(J)).isEqualTo(Origin.CONTACT);
        origins.learn(P, directory(P, Origin.UNKNOWN));
        assertThat(origins.of(J)).isEqualTo(Origin.CONTACT);
    }

    @Test
    void a_node_no_longer_a_member_is_forgotten_and_first_hand_knowledge_is_kept() {
        MemberOrigins origins = new MemberOrigins();
        origins.record(P, Origin.BOOTSTRAP);
        origins.record(J, Origin.CONTACT);
        origins.record(S, Origin.UNKNOWN);
        origins.retain(Set.of(P, S));
        assertThat(origins.of(J)).isEqualTo(Origin.UNKNOWN);
        assertThat(origins.of(P)).isEqualTo(Origin.BOOTSTRAP);
        assertThat(origins.of(S)).isEqualTo(Origin.UNKNOWN);
    }
}
