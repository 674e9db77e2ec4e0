package io.clustermode;


/**
 * A member of the cluster's committed-or-pending configuration, as this node sees it.
 *
 * @param id      its node id
 * @param address where its cluster transport listens ({@code host:port}); empty when unknown
 * @param voter   whether it votes (the others are learners)
 * @param role    its role as far as this node knows: {@link ClusterRole#PRIMARY} for the primary this
 *                node knows, {@link ClusterRole#SECONDARY} for the other members
 */
public record Member(NodeId id, String address, boolean voter, ClusterRole role) {
}
