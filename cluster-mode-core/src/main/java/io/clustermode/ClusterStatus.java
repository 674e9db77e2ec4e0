package io.clustermode;

import java.util.Objects;
import java.util.Optional;

/**
 * This node's view of its cluster at one moment, for monitoring: one consistent picture, read
 * from any thread ({@link Cluster#status()}).
 *
 * @param id           this node
 * @param role         its role
 * @param term         its current Raft term (the fencing token while it is the primary)
 * @param primary      the primary it knows of; empty when none
 * @param member       whether it is a member of the configuration it knows (false before it joined)
 * @param voter        whether it is a voting member
 * @param commitIndex  the highest log index it knows is committed
 * @param appliedIndex the highest log index its state machine has applied
 * @param lastIndex    the last index of its log
 * @param running      false once the node has stopped (closed, or it could not go on)
 */
public record ClusterStatus(NodeId id, ClusterRole role, long term, Optional<NodeId> primary, boolean member,
                            boolean voter, long commitIndex, long appliedIndex, long lastIndex, boolean running) {

    /** @throws NullPointerException when {@code id}, {@code role} or {@code primary} is null */
    public ClusterStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(primary, "primary");
    }
}
