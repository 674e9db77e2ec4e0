package io.clustermode.spring.autoconfigure;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.StateMachine;
import io.clustermode.discovery.DiscoveryService;
import io.clustermode.discovery.ServiceInstance;
import io.clustermode.discovery.StaticDiscovery;
import io.clustermode.spring.ClusterFencing;
import io.clustermode.spring.ClusterLifecycle;
import io.clustermode.spring.PrimaryGrantedEvent;
import io.clustermode.spring.PrimaryOnlyPostProcessor;
import io.clustermode.spring.PrimaryOnlyScheduling;
import io.clustermode.spring.TestNodes;
import io.clustermode.transport.TransportFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.clustermode.spring.autoconfigure.ClusterModePropertiesTest.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each condition of {@link ClusterModeAutoConfiguration}, with real nodes that are clusters of their own. */
class ClusterModeAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ClusterModeAutoConfiguration.class))
            .withPropertyValues(TestNodes.alone());

    @Test
    void a_node_starts_with_the_context_and_becomes_primary_alone() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(Cluster.class).hasSingleBean(ClusterConfig.class)
                    .hasSingleBean(ClusterLifecycle.class).hasSingleBean(ClusterFencing.class)
                    .hasSingleBean(PrimaryOnlyPostProcessor.class).hasSingleBean(PrimaryOnlyScheduling.class)
                    .hasSingleBean(ClusterModeProperties.class);
            assertThat(context.getBean(DiscoveryService.class)).isInstanceOf(StaticDiscovery.class);
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            ClusterLifecycle lifecycle = context.getBean(ClusterLifecycle.class);
            assertThat(lifecycle.isRunning()).isTrue();
            await().atMost(TestNodes.WAIT).until(cluster::isPrimary);
            context.close();
            assertThat(cluster.status().running()).as("closed with the context").isFalse();
            assertThat(lifecycle.isRunning()).isFalse();
        });
    }

    @Test
    void switched_off_nothing_is_made() {
        runner.withPropertyValues("cluster-mode.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(Cluster.class).doesNotHaveBean(ClusterConfig.class)
                .doesNotHaveBean(ClusterLifecycle.class).doesNotHaveBean(PrimaryOnlyPostProcessor.class)
                .doesNotHaveBean(PrimaryOnlyScheduling.class).doesNotHaveBean(ClusterModeProperties.class));
    }

    @Test
    void the_applications_own_primary_only_scheduling_replaces_ours() {
        runner.withBean("mine", PrimaryOnlyScheduling.class,
                        () -> new PrimaryOnlyScheduling(new PrimaryOnlyPostProcessor(null),
                                new ClusterLifecycle(event -> { }, null)))
                .run(context -> assertThat(context).getBeanNames(PrimaryOnlyScheduling.class).containsExactly("mine"));
    }

    /** Counts commands; the application's replicated state. */
    public static final class Counter implements StateMachine<Long> {
        long value;

        @Override
        public Long apply(long index, byte[] command) {
            return ++value;
        }

        @Override
        public byte[] snapshot() {
            return ByteBuffer.allocate(8).putLong(value).array();
        }

        @Override
        public void restore(byte[] snapshot) {
            value = ByteBuffer.wrap(snapshot).getLong();
        }
    }

    /** A bean that wants the cluster with its state machine's types. */
    static final class CounterUser {
        final Cluster<Long, Counter> cluster;

        CounterUser(Cluster<Long, Counter> cluster) {
            this.cluster = cluster;
        }
    }

    @Test
    void the_applications_state_machine_is_replicated_and_the_cluster_injected_with_its_types() {
        runner.withBean(Counter.class).withBean(CounterUser.class).run(context -> {
            Cluster<Long, Counter> cluster = context.getBean(CounterUser.class).cluster;
            await().atMost(TestNodes.WAIT).until(cluster::isPrimary);
            assertThat(cluster.submit(new byte[] {1}).get(10, TimeUnit.SECONDS).result()).isEqualTo(1L);
            assertThat(cluster.submit(new byte[] {1}).get(10, TimeUnit.SECONDS).result()).isEqualTo(2L);
            assertThat(context.getBean(Counter.class).value).isEqualTo(2);
        });
    }

    @Test
    void two_state_machines_are_refused_rather_than_one_picked() {
        runner.withBean("one", Counter.class).withBean("two", Counter.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("StateMachine", "one", "two");
        });
    }

    /** A discovery of the application's own: it counts the lookups. */
    static final class CountingDiscovery implements DiscoveryService {
        final AtomicInteger lookups = new AtomicInteger();

        @Override
        public List<ServiceInstance> instances() {
            lookups.incrementAndGet();
            return List.of();
        }
    }

    @Test
    void the_applications_discovery_and_transport_are_used() {
        AtomicInteger transports = new AtomicInteger();
        TransportFactory netty = TransportFactory.load();
        runner.withBean(CountingDiscovery.class)
                .withBean(TransportFactory.class, () -> settings -> {
                    transports.incrementAndGet();
                    return netty.create(settings);
                })
                .run(context -> {
                    assertThat(context).hasSingleBean(DiscoveryService.class);
                    await().atMost(TestNodes.WAIT).until(() -> context.getBean(CountingDiscovery.class).lookups.get() > 0);
                    assertThat(transports).hasValue(1);
                    await().atMost(TestNodes.WAIT).until(context.getBean(Cluster.class)::isPrimary);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnConfig {
        @Bean
        ClusterConfig ownClusterConfig() {
            return ClusterConfig.builder().clusterName("own").bind("127.0.0.1:" + TestNodes.freePort()).minNodes(1)
                    .build();
        }
    }

    @Test
    void the_applications_cluster_config_replaces_the_properties() {
        runner.withUserConfiguration(OwnConfig.class).withPropertyValues("cluster-mode.cluster-name=ignored")
                .run(context -> {
                    assertThat(context).hasSingleBean(ClusterConfig.class).doesNotHaveBean(DiscoveryService.class)
                            .doesNotHaveBean(ClusterModeProperties.class);
                    assertThat(context.getBean(Cluster.class).config().clusterName()).isEqualTo("own");
                });
    }

    /** Primacy events, recorded. */
    static final class Granted implements ApplicationListener<PrimaryGrantedEvent> {
        final List<PrimaryGrantedEvent> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(PrimaryGrantedEvent event) {
            seen.add(event);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnCluster {
        @Bean(destroyMethod = "close")
        Cluster<?, ?> ownCluster() throws Exception {
            return Cluster.start(ClusterConfig.builder().clusterName("mine").bind("127.0.0.1:" + TestNodes.freePort())
                    .minNodes(1)
                    .heartbeatInterval(java.time.Duration.ofMillis(20))
                    .electionTimeout(java.time.Duration.ofMillis(100)).build());
        }
    }

    @Test
    void the_applications_own_cluster_is_used_and_its_primacy_told() {
        runner.withUserConfiguration(OwnCluster.class).withBean(Granted.class).run(context -> {
            assertThat(context).hasSingleBean(Cluster.class).doesNotHaveBean(ClusterConfig.class)
                    .doesNotHaveBean(ClusterModeProperties.class).doesNotHaveBean(DiscoveryService.class);
            assertThat(context.getBean(Cluster.class).config().clusterName()).isEqualTo("mine");
            await().atMost(TestNodes.WAIT).until(() -> !context.getBean(Granted.class).seen.isEmpty());
            assertThat(context.getBean(ClusterFencing.class).nodeToken()).isPresent();
        });
    }

    @Test
    void without_a_transport_on_the_class_path_the_start_fails_naming_the_module() {
        runner.withClassLoader(new FilteredClassLoader(
                        new ClassPathResource("META-INF/services/io.clustermode.transport.TransportFactory")))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("no transport on the class path",
                            "cluster-mode-netty");
                });
    }
}
