package io.clustermode.spring.actuate;

import io.clustermode.Cluster;
import io.clustermode.NodeId;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adds {@code cluster-mode} to {@code /actuator/info}: node id, cluster name and id, the
 * advertised transport address, role, term and primary.
 */
public final class ClusterInfoContributor implements InfoContributor {

    private final Cluster<?, ?> cluster;

    /** @param cluster the cluster to describe */
    public ClusterInfoContributor(Cluster<?, ?> cluster) {
        this.cluster = cluster;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("nodeId", cluster.id().value());
        info.put("clusterName", cluster.config().clusterName());
        cluster.clusterId().ifPresent(id -> info.put("clusterId", id));
        info.put("advertise", cluster.config().advertise());
        info.put("role", cluster.role().name());
        info.put("term", cluster.status().term());
        cluster.status().primary().map(NodeId::value).ifPresent(primary -> info.put("primary", primary));
        builder.withDetail("cluster-mode", info);
    }
}
