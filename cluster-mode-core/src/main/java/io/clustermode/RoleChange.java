package io.clustermode;

import io.clustermode.raft.NodeId;

import java.util.Optional;

/**
 * A change of this node's role or of the primary it knows.
 *
 * @param role    this node's role now
 * @param primary the primary this node knows now; null when none
 * @param term    the Raft term of that knowledge. When {@code role} is {@link ClusterRole#PRIMARY},
 *                this is the <em>fencing token</em>: it grows with every new primary, so an outside
 *                resource that remembers the highest token it saw can refuse a deposed primary.
 * @param reason  why, in a few words
 */
public record RoleChange(ClusterRole role, NodeId primary, long term, String reason) {

    /** The fencing token, when this node is the primary. */
    public Optional<Long> fencingToken() {
        return role == ClusterRole.PRIMARY ? Optional.of(term) : Optional.empty();
    }
}
