package io.clustermode.raft;

import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigurationTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    @Test
    void quorum_is_a_majority_of_voters_only() {
        Configuration config = Configuration.ofVoters(A, B, C).apply(ConfigChange.addLearner(NodeId.of("d")));
        assertThat(config.quorum()).isEqualTo(2);
        assertThat(Configuration.ofVoters(A, B, C, NodeId.of("d")).quorum()).isEqualTo(3);
        assertThat(Configuration.ofVoters(A).quorum()).isEqualTo(1);
    }

    @Test
    void a_learner_is_promoted_and_a_member_removed_one_at_a_time() {
        Configuration config = Configuration.ofVoters(A, B).apply(ConfigChange.addLearner(C));
        assertThat(config.isLearner(C)).isTrue();
        config = config.apply(ConfigChange.promote(C));
        assertThat(config.voters()).containsExactly(A, B, C);
        config = config.apply(ConfigChange.remove(A));
        assertThat(config.members()).containsExactly(B, C);
    }

    @Test
    void changes_that_do_not_fit_are_refused() {
        Configuration config = Configuration.ofVoters(A);
        assertThatThrownBy(() -> config.apply(ConfigChange.addLearner(A))).hasMessageContaining("already");
        assertThatThrownBy(() -> config.apply(ConfigChange.promote(B))).hasMessageContaining("not a learner");
        assertThatThrownBy(() -> config.apply(ConfigChange.remove(A))).hasMessageContaining("last voter");
        assertThatThrownBy(() -> new Configuration(config.voters(), config.voters()))
                .hasMessageContaining("both a voter and a learner");
    }
}
