package io.clustermode.raft;

import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node's health with hysteresis, and what an unhealthy lone leader does. Clusters are in the simulation's scenarios. */
class HealthTest {

    private static final RaftConfig CONFIG = RaftConfig.defaults().withHealthRecoveryTicks(5);

    @Test
    void a_node_without_reports_is_healthy() {
        assertThat(new Health(CONFIG).healthy()).isTrue();
        assertThat(new Health(CONFIG).ticksUntilRecovered()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void a_failing_report_counts_at_once_and_recovery_takes_the_configured_ticks_of_passing_reports() {
        Health health = new Health(CONFIG);
        assertThat(health.report(false)).isTrue();
        assertThat(health.healthy()).isFalse();
        for (int i = 0; i < 10; i++) {
            assertThat(health.tick()).as("no recovery while the last report failed").isFalse();
        }
        health.report(true);
        assertThat(health.ticksUntilRecovered()).isEqualTo(5);
        for (int i = 0; i < 4; i++) {
            assertThat(health.tick()).isFalse();
            health.report(true);
        }
        assertThat(health.ticksUntilRecovered()).isEqualTo(1);
        assertThat(health.tick()).isTrue();
        assertThat(health.healthy()).isTrue();
    }

    @Test
    void a_failing_report_in_the_middle_of_recovery_starts_it_over() {
        Health health = new Health(CONFIG);
        health.report(false);
        health.report(true);
        health.tick();
        health.tick();
        health.tick();
        health.report(false);
        health.report(true);
        assertThat(health.ticksUntilRecovered()).isEqualTo(5);
    }

    @Test
    void a_lone_unhealthy_leader_stays_and_says_so_until_it_recovers() {
        NodeId self = NodeId.of("solo");
        RaftCore core = RaftCore.create(self, CONFIG, new Random(1));
        core.bootstrap(Configuration.ofVoters(self));
        for (int i = 0; i < 100 && core.role() != Role.LEADER; i++) {
            core.tick();
            drain(core);
        }
        core.reportHealth(false);
        drain(core);
        assertThat(core.role()).isEqualTo(Role.LEADER);
        assertThat(core.healthy()).isFalse();
        assertThat(core.healthNote()).contains("no other voter");
        core.reportHealth(true);
        for (int i = 0; i < 5; i++) {
            core.tick();
            drain(core);
        }
        assertThat(core.healthy()).isTrue();
        assertThat(core.healthNote()).isNull();
        assertThat(core.role()).isEqualTo(Role.LEADER);
    }

    @Test
    void the_recovery_time_must_be_positive() {
        assertThatThrownBy(() -> RaftConfig.defaults().withHealthRecoveryTicks(0))
                .hasMessageContaining("healthRecoveryTicks");
    }

    private static void drain(RaftCore core) {
        while (core.hasReady()) {
            core.advance(core.ready());
        }
    }
}
