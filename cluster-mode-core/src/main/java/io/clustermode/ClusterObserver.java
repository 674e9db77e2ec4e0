package io.clustermode;

import java.util.Optional;

/**
 * Told about a node's inner work, for metrics ({@link ClusterConfig.Builder#observer}). Called on
 * the node's event loop: each method must be quick and must not block. All do nothing by
 * default.
 */
public interface ClusterObserver {

    /** Nothing is observed. */
    ClusterObserver NONE = new ClusterObserver() {
    };

    /**
     * One batch was made durable: one write and one fsync for everything of an event-loop turn
     * (group commit).
     *
     * @param entries how many log entries it held
     * @param nanos   how long writing and forcing it took, in nanoseconds
     */
    default void persisted(int entries, long nanos) {
    }

    /**
     * This node stood for election in {@code term}: it asked for votes, or won at once as the
     * only voter. Counted once per term by whoever counts elections.
     */
    default void campaigned(long term) {
    }

    /**
     * The leader this node knows changed, or its term did.
     *
     * @param leader the leader now; empty while none is known
     * @param term   the Raft term of that knowledge
     */
    default void leaderChanged(Optional<NodeId> leader, long term) {
    }

    /**
     * A message was refused: it came from a node that is neither a member nor a discovered peer,
     * or no honest node could have sent it.
     *
     * @param from the sender it claims
     * @param type the message's kind (its class's simple name, as {@code AppendResponse})
     */
    default void messageRefused(NodeId from, String type) {
    }
}
