package io.clustermode.spring.autoconfigure;

import io.clustermode.Cluster;
import io.clustermode.spring.actuate.ClusterMeters;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The node's meters ({@link ClusterMeters}) in the application's {@code MeterRegistry}, when
 * Micrometer is on the class path. The meters observe the node through its configuration, so an
 * application that brings its own {@code ClusterConfig} gets the gauges but not the counters
 * unless it passes the {@link ClusterMeters} bean to {@code ClusterConfig.Builder#observer}.
 */
@AutoConfiguration(after = ClusterModeAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(Cluster.class)
public class ClusterModeMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ClusterMeters clusterMeters(ObjectProvider<Cluster<?, ?>> cluster) {
        return new ClusterMeters(cluster);
    }
}
