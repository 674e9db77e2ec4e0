package io.clustermode.spring.autoconfigure;

import io.clustermode.Cluster;
import io.clustermode.spring.ClusterLifecycle;
import io.clustermode.spring.actuate.ClusterEndpoint;
import io.clustermode.spring.actuate.ClusterEndpointWebExtension;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The Actuator endpoint {@code cluster} ({@link ClusterEndpoint}), when it is available: exposed
 * ({@code management.endpoints.web.exposure.include=cluster}) and not switched off
 * ({@code management.endpoint.cluster.access=none}). Read-only unless
 * {@code management.endpoint.cluster.access=unrestricted}.
 */
@AutoConfiguration(after = ClusterModeAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean({Cluster.class, ClusterLifecycle.class})
@ConditionalOnAvailableEndpoint(ClusterEndpoint.class)
public class ClusterModeEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ClusterEndpoint clusterEndpoint(Cluster<?, ?> cluster, ClusterLifecycle lifecycle) {
        return new ClusterEndpoint(cluster, lifecycle);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ClusterEndpoint.class)
    ClusterEndpointWebExtension clusterEndpointWebExtension(ClusterEndpoint endpoint) {
        return new ClusterEndpointWebExtension(endpoint);
    }
}
