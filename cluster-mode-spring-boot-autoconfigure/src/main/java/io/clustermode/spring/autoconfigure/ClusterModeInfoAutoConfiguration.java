package io.clustermode.spring.autoconfigure;

import io.clustermode.Cluster;
import io.clustermode.spring.actuate.ClusterInfoContributor;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@code cluster-mode} in {@code /actuator/info} ({@link ClusterInfoContributor}), when Actuator
 * is on the class path; {@code management.info.cluster.enabled=false} leaves it out.
 */
@AutoConfiguration(after = ClusterModeAutoConfiguration.class)
@ConditionalOnClass({InfoContributor.class, ConditionalOnEnabledInfoContributor.class})
@ConditionalOnBean(Cluster.class)
@ConditionalOnEnabledInfoContributor("cluster")
public class ClusterModeInfoAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "clusterInfoContributor")
    ClusterInfoContributor clusterInfoContributor(Cluster<?, ?> cluster) {
        return new ClusterInfoContributor(cluster);
    }
}
