package io.clustermode.runtime;

import io.clustermode.NodeId;

/**
 * Told about the work of a node's event loop, for metrics. Called on the event loop: must be
 * quick and must not block.
 */
public interface NodeObserver {

    /** Nothing is observed. */
    NodeObserver NONE = new NodeObserver() {
    };

    /**
     * One batch was made durable (one {@code persist} call: the group commit of a turn).
     *
     * @param entries how many entries it held
     * @param nanos   how long writing and forcing it took
     */
    default void persisted(int entries, long nanos) {
    }

    /**
     * The node's role, term or known leader changed (the same event the node logs).
     *
     * @param change the new role, term and leader, and why
     */
    default void stateChanged(io.clustermode.raft.StateChange change) {
    }

    /**
     * A message was refused: it came from a node that is neither a member nor a discovered
     * peer, or the core found it impossible for an honest peer (see {@code RaftCore#step}).
     *
     * @param from the sender it claims
     * @param type the message's type, as its simple class name
     */
    default void messageRefused(io.clustermode.NodeId from, String type) {
    }
}
