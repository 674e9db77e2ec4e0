package io.clustermode.spring.autoconfigure;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.ClusterObserver;
import io.clustermode.NodeId;
import io.clustermode.StateMachine;
import io.clustermode.discovery.DiscoveryService;
import io.clustermode.spring.ClusterFencing;
import io.clustermode.spring.ClusterLifecycle;
import io.clustermode.spring.PrimaryOnlyPostProcessor;
import io.clustermode.spring.PrimaryOnlyScheduling;
import io.clustermode.transport.TransportFactory;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.beans.factory.config.BeanDefinition;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Makes the application a member of a cluster: a {@link Cluster} bean configured by the
 * {@code cluster-mode.*} properties ({@link ClusterModeProperties}), its {@link ClusterLifecycle}
 * (events, and leaving before the web server stops), {@link ClusterFencing}, and
 * {@link io.clustermode.spring.PrimaryOnly @PrimaryOnly} methods, which run at once on grant when
 * they are {@code @Scheduled} ({@link PrimaryOnlyScheduling}).
 *
 * <p>Every bean can be replaced by one of the application's own: a {@link ClusterConfig} (then
 * the properties other than {@code cluster-mode.enabled} are neither bound nor used), a
 * {@link DiscoveryService} (for example one that reads Spring Cloud's {@code DiscoveryClient}),
 * a {@link TransportFactory}, or the {@link Cluster} itself. A {@link StateMachine} bean of the
 * application is replicated; without one, the cluster only elects its primary. A
 * {@link ClusterObserver} bean (the metrics auto-configuration makes one) observes the node.
 * {@code cluster-mode.enabled=false} switches all of it off.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "cluster-mode.enabled", matchIfMissing = true)
public class ClusterModeAutoConfiguration {

    /** The lifecycle first: the cluster tells it of every change from the moment it starts. */
    @Bean
    @ConditionalOnMissingBean
    ClusterLifecycle clusterLifecycle(ApplicationEventPublisher publisher, ObjectProvider<Cluster<?, ?>> clusters) {
        return new ClusterLifecycle(publisher, clusters);
    }

    /**
     * The cluster node, started: it begins discovering its peers and takes part in elections at
     * once; the application hears of its role from the context's start ({@link ClusterLifecycle}).
     * Closed (a primary hands over first) when the context closes.
     */
    @Bean
    @ConditionalOnMissingBean(Cluster.class)
    Cluster<?, ?> cluster(ClusterConfig config, ObjectProvider<StateMachine<?>> stateMachine,
                          ObjectProvider<ClusterLifecycle> lifecycle) throws IOException {
        StateMachine<?> machine = stateMachine.getIfAvailable(); // two without a @Primary one: refused, not ignored
        Cluster<?, ?> cluster = machine == null ? Cluster.start(config) : start(config, machine);
        lifecycle.ifUnique(l -> l.attach(cluster));
        return cluster;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Cluster<?, ?> start(ClusterConfig config, StateMachine<?> machine) throws IOException {
        return Cluster.start(config, (StateMachine) machine);
    }

    /** The fencing token of {@code @PrimaryOnly} runs. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(ClusterLifecycle.class)
    ClusterFencing clusterFencing(ClusterLifecycle lifecycle) {
        return new ClusterFencing(lifecycle);
    }

    /**
     * Runs {@code @Scheduled} {@code @PrimaryOnly} methods once at once when this node is granted
     * primacy (with {@code @EnableScheduling}; see {@code PrimaryOnly.onGrant}).
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(ClusterLifecycle.class)
    PrimaryOnlyScheduling primaryOnlyScheduling(PrimaryOnlyPostProcessor postProcessor, ClusterLifecycle lifecycle) {
        return new PrimaryOnlyScheduling(postProcessor, lifecycle);
    }

    /** Proxies beans with {@code @PrimaryOnly} methods; static, as a post-processor must be. */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static PrimaryOnlyPostProcessor primaryOnlyPostProcessor(ObjectProvider<ClusterLifecycle> lifecycle) {
        return new PrimaryOnlyPostProcessor(lifecycle);
    }

    /**
     * The configuration from the properties, unless the application has its own (or its own
     * cluster): only then are the properties bound, and checked.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean({ClusterConfig.class, Cluster.class})
    @EnableConfigurationProperties(ClusterModeProperties.class)
    static class FromProperties implements BeanClassLoaderAware {

        private ClassLoader classLoader = ClusterModeAutoConfiguration.class.getClassLoader();

        @Override
        public void setBeanClassLoader(ClassLoader loader) {
            this.classLoader = loader;
        }

        /** Discovery as {@code cluster-mode.discovery} says; not closed by the context: the cluster closes it. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        DiscoveryService clusterModeDiscovery(ClusterModeProperties properties) {
            return ClusterConfigFactory.discovery(properties);
        }

        @Bean
        ClusterConfig clusterConfig(ClusterModeProperties properties, DiscoveryService discovery,
                                    ObjectProvider<TransportFactory> transport,
                                    ObjectProvider<ClusterObserver> observers) {
            ClusterConfig.Builder builder = ClusterConfigFactory.builder(properties)
                    .discovery(discovery)
                    .transportFactory(transport.getIfAvailable(this::transportOnClassPath));
            List<ClusterObserver> all = observers.orderedStream().collect(Collectors.toList());
            if (!all.isEmpty()) {
                builder.observer(all.size() == 1 ? all.get(0) : new Observers(all));
            }
            try {
                return builder.build();
            } catch (IllegalArgumentException e) {
                // The properties were checked when bound; a replaced discovery bean can still differ.
                throw new IllegalArgumentException(ClusterConfigFactory.properties(e.getMessage()), e);
            }
        }

        /** The transport found through ServiceLoader by the application's class loader (a boot jar's nested jars). */
        private TransportFactory transportOnClassPath() {
            Optional<TransportFactory> found = ServiceLoader.load(TransportFactory.class, classLoader).findFirst();
            return found.orElseThrow(() -> new IllegalStateException("cluster-mode: no transport on the class path:"
                    + " add io.clustermode:cluster-mode-netty (cluster-mode-spring-boot-starter brings it)"));
        }
    }

    /** Several observers as one. */
    private static final class Observers implements ClusterObserver {
        private final List<ClusterObserver> all;

        Observers(List<ClusterObserver> all) {
            this.all = List.copyOf(all);
        }

        @Override
        public void persisted(int entries, long nanos) {
            all.forEach(o -> o.persisted(entries, nanos));
        }

        @Override
        public void campaigned(long term) {
            all.forEach(o -> o.campaigned(term));
        }

        @Override
        public void leaderChanged(Optional<NodeId> leader, long term) {
            all.forEach(o -> o.leaderChanged(leader, term));
        }

        @Override
        public void messageRefused(NodeId from, String type) {
            all.forEach(o -> o.messageRefused(from, type));
        }
    }
}
