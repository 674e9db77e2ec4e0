package io.clustermode;


/**
 * A member of the cluster's committed-or-pending configuration, as this node sees it.
 *
 * @param id       its node id
 * @param address  where its cluster transport listens ({@code host:port}); empty when unknown
 * @param voter    whether it votes (the others are learners)
 * @param role     its role as far as this node knows: {@link ClusterRole#PRIMARY} for the primary this
 *                 node knows, {@link ClusterRole#SECONDARY} for the other members
 * @param joinedBy how it came into the cluster, as far as this node knows
 */
public record Member(NodeId id, String address, boolean voter, ClusterRole role, JoinedBy joinedBy) {

    /** Requires every value. */
    public Member {
        java.util.Objects.requireNonNull(id, "id");
        java.util.Objects.requireNonNull(address, "address");
        java.util.Objects.requireNonNull(role, "role");
        java.util.Objects.requireNonNull(joinedBy, "joinedBy");
    }

    /** A member of whose coming in nothing is known ({@link JoinedBy#UNKNOWN}). */
    public Member(NodeId id, String address, boolean voter, ClusterRole role) {
        this(id, address, voter, role, JoinedBy.UNKNOWN);
    }
}
