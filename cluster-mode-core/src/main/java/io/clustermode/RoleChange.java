package io.clustermode;


import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A change of this node's role or of the primary it knows.
 *
 * @param role    this node's role now
 * @param primary the primary this node knows now; empty when none
 * @param term    the Raft term of that knowledge. When {@code role} is {@link ClusterRole#PRIMARY},
 *                this is the <em>fencing token</em>: it grows with every new primary, so an outside
 *                resource that remembers the highest token it saw can refuse a deposed primary.
 * @param reason  why, in a few words
 */
public record RoleChange(ClusterRole role, Optional<NodeId> primary, long term, String reason) {

    /** @throws NullPointerException when {@code role}, {@code primary} or {@code reason} is null */
    public RoleChange {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(reason, "reason");
    }

    /** The fencing token ({@link #term()}) when this node is the primary; empty otherwise. */
    public OptionalLong fencingToken() {
        return role == ClusterRole.PRIMARY ? OptionalLong.of(term) : OptionalLong.empty();
    }
}
