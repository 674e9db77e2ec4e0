package io.clustermode.spring.autoconfigure;

import io.clustermode.Cluster;
import io.clustermode.spring.actuate.ClusterHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The health contributor {@code cluster} ({@link ClusterHealthIndicator}), when Spring Boot's
 * health support is on the class path; {@code management.health.cluster.enabled=false} leaves it
 * out.
 */
@AutoConfiguration(after = ClusterModeAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Cluster.class)
@ConditionalOnEnabledHealthIndicator("cluster")
public class ClusterModeHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "clusterHealthIndicator")
    ClusterHealthIndicator clusterHealthIndicator(Cluster<?, ?> cluster) {
        return new ClusterHealthIndicator(cluster);
    }
}
