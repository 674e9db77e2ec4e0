package io.clustermode.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/** Runs small {@code @ClusterTest} classes through the JUnit launcher, as a build would, and looks at what it reports. */
class ClusterTestExtensionTest {

    /** Seeds the fixtures saw, in order. */
    static final List<Long> SEEN = new ArrayList<>();

    @AfterEach
    void clear() {
        SEEN.clear();
        System.clearProperty(ClusterTestExtension.SEED_PROPERTY);
        System.clearProperty(ClusterTestExtension.SEEDS_PROPERTY);
    }

    private static TestExecutionSummary run(Class<?> fixture) {
        LauncherDiscoveryRequest request = request().selectors(selectClass(fixture))
                .configurationParameter("junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition").build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        return listener.getSummary();
    }

    @Test
    void a_method_runs_once_per_seed() {
        TestExecutionSummary summary = run(Fixtures.FiveSeeds.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(5);
        assertThat(SEEN).containsExactly(100L, 101L, 102L, 103L, 104L);
    }

    @Test
    void a_failing_seed_is_named_with_the_line_that_replays_it() {
        TestExecutionSummary summary = run(Fixtures.FailsOnSeed3.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(3);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        Throwable failure = summary.getFailures().get(0).getException();
        assertThat(failure).isInstanceOf(AssertionError.class)
                .hasMessageContaining("seed 3 failed")
                .hasMessageContaining("@ClusterTest(seed = 3)")
                .hasMessageContaining("-Dcluster-mode.testkit.seed=3")
                .hasMessageContaining("the counter went wrong");
    }

    @Test
    void the_replay_line_runs_that_seed_alone() {
        TestExecutionSummary summary = run(Fixtures.Replay.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(SEEN).containsExactly(3L);
    }

    @Test
    void the_system_property_runs_one_seed_of_every_cluster_test() {
        System.setProperty(ClusterTestExtension.SEED_PROPERTY, "77");
        run(Fixtures.FiveSeeds.class);
        assertThat(SEEN).containsExactly(77L);
    }

    @Test
    void the_seeds_property_searches_longer() {
        System.setProperty(ClusterTestExtension.SEEDS_PROPERTY, "8");
        run(Fixtures.FiveSeeds.class);
        assertThat(SEEN).hasSize(8);
    }

    @Test
    void a_test_cluster_parameter_is_built_from_the_annotation() {
        TestExecutionSummary summary = run(Fixtures.TakesACluster.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
    }

    @Test
    void a_test_cluster_parameter_without_a_state_machine_is_a_clear_error() {
        TestExecutionSummary summary = run(Fixtures.ClusterWithoutMachine.class);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException())
                .hasMessageContaining("@ClusterTest(stateMachine = MyMachine.class)");
    }
}
