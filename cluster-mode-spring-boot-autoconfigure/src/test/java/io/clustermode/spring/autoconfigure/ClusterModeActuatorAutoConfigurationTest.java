package io.clustermode.spring.autoconfigure;

import io.clustermode.Cluster;
import io.clustermode.spring.TestNodes;
import io.clustermode.spring.actuate.ClusterEndpoint;
import io.clustermode.spring.actuate.ClusterEndpointWebExtension;
import io.clustermode.spring.actuate.ClusterHealthIndicator;
import io.clustermode.spring.actuate.ClusterInfoContributor;
import io.clustermode.spring.actuate.ClusterMeters;
import io.clustermode.spring.actuate.ClusterView;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each condition of the Actuator and metrics auto-configurations, and what their beans report. */
class ClusterModeActuatorAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ClusterModeAutoConfiguration.class,
                    ClusterModeHealthAutoConfiguration.class, ClusterModeInfoAutoConfiguration.class,
                    ClusterModeEndpointAutoConfiguration.class, ClusterModeMetricsAutoConfiguration.class))
            .withPropertyValues(TestNodes.alone());

    @Test
    void health_is_up_with_role_term_primary_and_members_once_a_primary_is_known() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ClusterHealthIndicator.class).hasBean("clusterHealthIndicator");
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            await().atMost(TestNodes.WAIT).until(cluster::isPrimary);
            Health health = context.getBean(ClusterHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("role", "PRIMARY")
                    .containsEntry("primary", cluster.id().value())
                    .containsEntry("term", cluster.status().term())
                    .containsEntry("nodeId", cluster.id().value());
            assertThat((List<?>) health.getDetails().get("members")).hasSize(1);
            context.close();
            assertThat(new ClusterHealthIndicator(cluster).health().getStatus()).as("after leaving")
                    .isEqualTo(Status.DOWN);
        });
    }

    @Test
    void health_is_down_while_no_primary_is_known() {
        runner.withPropertyValues(TestNodes.waiting()).run(context -> {
            Health health = context.getBean(ClusterHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("role", "INACTIVE").doesNotContainKey("primary");
        });
    }

    @Test
    void health_is_left_out_when_switched_off_missing_from_the_class_path_or_without_a_cluster() {
        runner.withPropertyValues("management.health.cluster.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ClusterHealthIndicator.class));
        runner.withPropertyValues("management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ClusterHealthIndicator.class));
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> assertThat(context).doesNotHaveBean(ClusterHealthIndicator.class)
                        .hasSingleBean(Cluster.class));
        runner.withPropertyValues("cluster-mode.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ClusterHealthIndicator.class));
    }

    @Test
    void info_names_the_node_its_cluster_and_role() {
        runner.run(context -> {
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            await().atMost(TestNodes.WAIT).until(cluster::isPrimary);
            Info.Builder builder = new Info.Builder();
            context.getBean(ClusterInfoContributor.class).contribute(builder);
            @SuppressWarnings("unchecked")
            Map<String, Object> info = (Map<String, Object>) builder.build().getDetails().get("cluster-mode");
            assertThat(info).containsEntry("nodeId", cluster.id().value()).containsEntry("clusterName", "cluster-mode")
                    .containsEntry("role", "PRIMARY").containsEntry("primary", cluster.id().value())
                    .containsKeys("clusterId", "advertise", "term");
        });
        runner.withPropertyValues("management.info.cluster.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ClusterInfoContributor.class));
        runner.withClassLoader(new FilteredClassLoader(InfoContributor.class))
                .run(context -> assertThat(context).doesNotHaveBean(ClusterInfoContributor.class));
    }

    @Test
    void the_endpoint_exists_when_exposed_and_shows_the_view() {
        runner.run(context -> assertThat(context).doesNotHaveBean(ClusterEndpoint.class));
        runner.withPropertyValues("management.endpoints.web.exposure.include=cluster",
                "management.endpoint.cluster.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(ClusterEndpoint.class));
        runner.withClassLoader(new FilteredClassLoader(Endpoint.class))
                .withPropertyValues("management.endpoints.web.exposure.include=cluster")
                .run(context -> assertThat(context).doesNotHaveBean(ClusterEndpoint.class));
        runner.withPropertyValues("management.endpoints.web.exposure.include=cluster").run(context -> {
            assertThat(context).hasSingleBean(ClusterEndpoint.class)
                    .hasSingleBean(ClusterEndpointWebExtension.class);
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            await().atMost(TestNodes.WAIT).until(cluster::isPrimary);
            ClusterView view = context.getBean(ClusterEndpoint.class).cluster();
            assertThat(view.nodeId()).isEqualTo(cluster.id().value());
            assertThat(view.role()).isEqualTo("PRIMARY");
            assertThat(view.primary()).isEqualTo(cluster.id().value());
            assertThat(view.fencingToken()).isEqualTo(view.term());
            assertThat(view.clusterId()).isNotNull();
            assertThat(view.members()).singleElement().satisfies(member -> {
                assertThat(member.nodeId()).isEqualTo(cluster.id().value());
                assertThat(member.voter()).isTrue();
                assertThat(member.role()).isEqualTo("PRIMARY");
                assertThat(member.joinedBy()).isEqualTo("bootstrap");
            });
        });
    }

    @Test
    void a_transfer_with_no_one_to_take_over_or_to_a_stranger_says_so_with_its_status() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=cluster").run(context -> {
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            await().atMost(TestNodes.WAIT).until(cluster::isPrimary);
            ClusterEndpointWebExtension web = context.getBean(ClusterEndpointWebExtension.class);
            var alone = web.transferPrimacy(null);
            assertThat(alone.getStatus()).isEqualTo(503);
            assertThat(alone.getBody().outcome()).isEqualTo(ClusterEndpoint.TransferResult.Outcome.NOT_TRANSFERRED);
            assertThat(alone.getBody().primary()).isEqualTo(cluster.id().value());
            var stranger = web.transferPrimacy("nobody");
            assertThat(stranger.getStatus()).isEqualTo(400);
            assertThat(stranger.getBody().error()).contains("nobody");
        });
        runner.withPropertyValues(TestNodes.waiting()).withPropertyValues("management.endpoints.web.exposure.include=cluster")
                .run(context -> {
                    var response = context.getBean(ClusterEndpointWebExtension.class).transferPrimacy(null);
                    assertThat(response.getStatus()).isEqualTo(409);
                    assertThat(response.getBody().outcome()).isEqualTo(ClusterEndpoint.TransferResult.Outcome.NOT_PRIMARY);
                });
    }

    @Test
    void meters_observe_the_node_from_its_start_and_read_its_state() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ClusterMeters.class);
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            await().atMost(TestNodes.WAIT).until(cluster::isPrimary);
            MeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(ClusterMeters.class).bindTo(registry);
            assertThat(registry.get("cluster.mode.role").tag("role", "PRIMARY").gauge().value()).isEqualTo(1);
            assertThat(registry.get("cluster.mode.role").tag("role", "SECONDARY").gauge().value()).isZero();
            assertThat(registry.get("cluster.mode.term").gauge().value()).isEqualTo(cluster.status().term());
            assertThat(registry.get("cluster.mode.members").gauge().value()).isEqualTo(1);
            assertThat(registry.get("cluster.mode.voters").gauge().value()).isEqualTo(1);
            // counted by the observer the configuration was given, before the registry existed
            assertThat(registry.get("cluster.mode.leader.changes").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("cluster.mode.elections.started").functionCounter().count()).isGreaterThanOrEqualTo(1);
            assertThat(registry.get("cluster.mode.applied.index").gauge().value()).isGreaterThan(0);
        });
        runner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
                .run(context -> assertThat(context).doesNotHaveBean(ClusterMeters.class).hasSingleBean(Cluster.class));
    }
}
