package io.clustermode.spring.autoconfigure;

import io.clustermode.Cluster;
import io.clustermode.spring.TestNodes;
import io.clustermode.spring.actuate.HealthIndicatorChecks;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code cluster-mode.health.indicators}: Spring Boot health indicators that gate primacy. */
class ClusterModeHealthCheckAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ClusterModeAutoConfiguration.class,
                    ClusterModeHealthAutoConfiguration.class, ClusterModeHealthCheckAutoConfiguration.class))
            .withUserConfiguration(Database.class)
            .withPropertyValues(TestNodes.alone())
            .withPropertyValues("cluster-mode.health.check-interval=50", "cluster-mode.health.recovery=200");

    /** The application's own indicator, which a test switches DOWN. */
    @Configuration(proxyBeanMethods = false)
    static class Database {
        static final AtomicBoolean UP = new AtomicBoolean(true);

        @Bean
        HealthIndicator dbHealthIndicator() {
            return () -> UP.get() ? Health.up().build() : Health.down().withDetail("error", "refused").build();
        }
    }

    @Test
    void a_named_indicator_that_goes_down_makes_the_node_unhealthy_and_healthy_again_after_the_recovery_time() {
        Database.UP.set(true);
        runner.withPropertyValues("cluster-mode.health.indicators=db").run(context -> {
            assertThat(context).hasSingleBean(HealthIndicatorChecks.class);
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            await().atMost(TestNodes.WAIT).until(cluster::isPrimary);
            assertThat(cluster.healthy()).isTrue();
            Database.UP.set(false);
            await().atMost(TestNodes.WAIT).until(() -> !cluster.healthy());
            // Alone, it has nobody to hand over to: an unhealthy primary beats none.
            assertThat(cluster.isPrimary()).isTrue();
            Database.UP.set(true);
            await().atMost(TestNodes.WAIT).until(cluster::healthy);
        });
    }

    @Test
    void the_settings_reach_the_cluster_and_are_checked_when_bound() {
        runner.run(context -> {
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            assertThat(cluster.config().healthCheckInterval().toMillis()).isEqualTo(50);
            assertThat(cluster.config().healthRecovery().toMillis()).isEqualTo(200);
        });
        runner.withPropertyValues("cluster-mode.health.check-interval=0").run(context ->
                assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("cluster-mode.health.check-interval"));
    }

    @Test
    void a_name_that_finds_no_indicator_or_the_clusters_own_health_stops_the_start() {
        runner.withPropertyValues("cluster-mode.health.indicators=mail").run(context ->
                assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("cluster-mode.health.indicators names 'mail'"));
        runner.withPropertyValues("cluster-mode.health.indicators=cluster").run(context ->
                assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("the cluster's own health"));
    }
}
