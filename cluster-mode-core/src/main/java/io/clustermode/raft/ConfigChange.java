package io.clustermode.raft;

import io.clustermode.NodeId;
import java.util.Objects;

/**
 * One membership change, proposed through the log. Changes go one member at a time, which
 * keeps any two majorities of the old and new configuration overlapping (thesis §4.2).
 *
 * @param type what happens to the node
 * @param node the member concerned
 */
public record ConfigChange(Type type, NodeId node) {

    /** The kinds of change. */
    public enum Type {
        /** A new member that receives the log but does not vote. */
        ADD_LEARNER,
        /** A learner becomes a voter. */
        PROMOTE,
        /** A voter or learner leaves. */
        REMOVE
    }

    public ConfigChange {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(node, "node");
    }

    public static ConfigChange addLearner(NodeId node) {
        return new ConfigChange(Type.ADD_LEARNER, node);
    }

    public static ConfigChange promote(NodeId node) {
        return new ConfigChange(Type.PROMOTE, node);
    }

    public static ConfigChange remove(NodeId node) {
        return new ConfigChange(Type.REMOVE, node);
    }
}
