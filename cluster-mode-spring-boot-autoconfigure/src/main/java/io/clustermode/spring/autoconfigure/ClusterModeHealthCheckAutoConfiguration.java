package io.clustermode.spring.autoconfigure;

import io.clustermode.Cluster;
import io.clustermode.spring.actuate.HealthIndicatorChecks;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import java.util.List;

/**
 * Health-gated primacy from Spring Boot's health indicators: the beans named by
 * {@code cluster-mode.health.indicators} become cluster health checks
 * ({@link HealthIndicatorChecks}). Independent of the {@code cluster} health indicator, so
 * switching that one off does not switch the gate off. Read from the environment rather than the
 * bound properties, so it also applies to an application that builds its own {@code ClusterConfig}.
 */
@AutoConfiguration(after = ClusterModeAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Cluster.class)
public class ClusterModeHealthCheckAutoConfiguration {

    @Bean
    HealthIndicatorChecks clusterModeHealthIndicatorChecks(Cluster<?, ?> cluster, BeanFactory beans,
                                                           Environment environment) {
        List<String> names = Binder.get(environment)
                .bind(HealthIndicatorChecks.PROPERTY, Bindable.listOf(String.class)).orElse(List.of());
        return new HealthIndicatorChecks(cluster, beans, names);
    }
}
