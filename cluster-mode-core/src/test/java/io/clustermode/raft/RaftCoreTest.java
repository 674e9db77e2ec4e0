package io.clustermode.raft;

import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The single-node life of a core, driven by hand as a driver would. */
class RaftCoreTest {

    private static final NodeId SELF = NodeId.of("solo");

    private static RaftCore soloLeader() {
        RaftCore core = RaftCore.create(SELF, RaftConfig.defaults(), new Random(1));
        core.bootstrap(Configuration.ofVoters(SELF));
        drain(core);
        for (int i = 0; i < 100 && core.role() != Role.LEADER; i++) {
            core.tick();
            drain(core);
        }
        assertThat(core.role()).isEqualTo(Role.LEADER);
        return core;
    }

    private static Ready drain(RaftCore core) {
        Ready last = null;
        while (core.hasReady()) {
            last = core.ready();
            core.advance(last);
        }
        return last;
    }

    @Test
    void a_single_voter_elects_itself_and_commits_its_noop_once_durable() {
        RaftCore core = soloLeader();
        assertThat(core.term()).isEqualTo(2);
        assertThat(core.commitIndex()).isEqualTo(2);
        assertThat(core.entryAt(2).type()).isEqualTo(EntryType.NOOP);
    }

    @Test
    void a_proposal_is_persisted_before_it_is_committed_and_applied() {
        RaftCore core = soloLeader();
        ProposeResult result = core.propose(new byte[] {42});
        assertThat(result).isEqualTo(new ProposeResult.Accepted(3, 2));
        Ready persist = core.ready();
        assertThat(persist.entries()).extracting(Entry::index).containsExactly(3L);
        assertThat(persist.committedEntries()).as("not committed before it is durable").isEmpty();
        core.advance(persist);
        Ready apply = core.ready();
        assertThat(apply.committedEntries()).extracting(Entry::index).containsExactly(3L);
        assertThat(apply.hardState().commit()).isEqualTo(3);
        core.advance(apply);
        assertThat(core.appliedIndex()).isEqualTo(3);
    }

    @Test
    void a_read_on_a_single_voter_is_confirmed_at_the_commit_index() {
        RaftCore core = soloLeader();
        assertThat(core.readIndex(7)).isTrue();
        Ready ready = drain(core);
        assertThat(ready.readStates()).containsExactly(new ReadState(7, 2, true));
    }

    @Test
    void a_node_without_configuration_never_campaigns_and_refuses_work() {
        RaftCore core = RaftCore.create(SELF, RaftConfig.defaults(), new Random(1));
        for (int i = 0; i < 100; i++) {
            core.tick();
            drain(core);
        }
        assertThat(core.role()).isEqualTo(Role.FOLLOWER);
        assertThat(core.propose(new byte[1])).isEqualTo(new ProposeResult.Rejected(ProposeResult.Reason.NOT_LEADER, null));
        assertThat(core.readIndex(1)).isFalse();
    }

    @Test
    void no_input_is_taken_while_a_ready_is_outstanding() {
        RaftCore core = soloLeader();
        core.propose(new byte[1]);
        core.ready();
        assertThatThrownBy(core::tick).isInstanceOf(IllegalStateException.class).hasMessageContaining("advanced");
    }

    @Test
    void a_restart_restores_term_vote_and_log_from_what_was_persisted() {
        RaftCore core = soloLeader();
        core.propose(new byte[] {1});
        drain(core);
        RaftCore restarted = RaftCore.restart(SELF, RaftConfig.defaults(), new Random(2),
                new HardState(core.term(), SELF, core.commitIndex()), null,
                java.util.List.of(core.entryAt(1), core.entryAt(2), core.entryAt(3)));
        assertThat(restarted.term()).isEqualTo(core.term());
        assertThat(restarted.commitIndex()).isEqualTo(3);
        assertThat(restarted.configuration().voters()).containsExactly(SELF);
        assertThat(drain(restarted).committedEntries()).hasSize(3);
    }

    @Test
    void bootstrapping_twice_is_refused() {
        RaftCore core = soloLeader();
        assertThatThrownBy(() -> core.bootstrap(Configuration.ofVoters(SELF))).hasMessageContaining("already has state");
    }

    @Test
    void configuration_rejects_a_heartbeat_too_close_to_the_election_timeout() {
        assertThatThrownBy(() -> RaftConfig.defaults().withElectionTicks(2)).hasMessageContaining("heartbeatTicks");
        assertThatThrownBy(() -> RaftConfig.defaults().withElectionTicks(0)).hasMessageContaining("electionTicks");
    }
}
