package io.clustermode.spring.actuate;

import io.clustermode.Cluster;
import io.clustermode.ClusterRole;
import io.clustermode.ClusterStatus;
import io.clustermode.NodeId;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health contributor {@code cluster}: UP while this node is an active member that knows a
 * primary (its role is {@code PRIMARY} or {@code SECONDARY}), DOWN otherwise — before it has
 * joined, while no primary is known, and after it stopped (then with the cause). The same rule
 * as {@code GET /health} of the command line's HTTP API.
 *
 * <p>Details: {@code nodeId}, {@code role}, {@code term}, {@code primary} (only when one is
 * known), {@code members} (id, address, voter, role of each).
 *
 * <p>To let it decide whether the application takes traffic, add it to the readiness group:
 * {@code management.endpoint.health.group.readiness.include=readinessState,cluster}. Think twice
 * before adding it to liveness: a cluster that lost its quorum is no reason to restart every
 * member.
 */
public final class ClusterHealthIndicator implements HealthIndicator {

    private final Cluster<?, ?> cluster;

    /** @param cluster the cluster to report on */
    public ClusterHealthIndicator(Cluster<?, ?> cluster) {
        this.cluster = cluster;
    }

    @Override
    public Health health() {
        ClusterStatus status = cluster.status();
        Health.Builder health = status.running() && status.role() != ClusterRole.INACTIVE ? Health.up()
                : Health.down();
        health.withDetail("nodeId", status.id().value())
                .withDetail("role", status.role().name())
                .withDetail("term", status.term());
        status.primary().map(NodeId::value).ifPresent(primary -> health.withDetail("primary", primary));
        health.withDetail("members", ClusterView.members(cluster));
        cluster.failure().ifPresent(health::withException);
        return health.build();
    }
}
