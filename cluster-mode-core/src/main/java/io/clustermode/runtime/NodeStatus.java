package io.clustermode.runtime;

import io.clustermode.raft.Configuration;
import io.clustermode.NodeId;
import io.clustermode.raft.Role;

/**
 * A consistent picture of a node at one moment, readable from any thread.
 *
 * @param nodeId        the node
 * @param role          its Raft role
 * @param term          its current term
 * @param leader        the leader it knows of; null when none
 * @param commitIndex   the highest index it knows is committed
 * @param appliedIndex  the highest index its state machine has applied
 * @param lastIndex     the last index of its log
 * @param configuration the configuration in effect on it
 * @param running       false once the node stopped
 * @param leaderReady   it leads and has applied an entry of its own term ({@link
 *                      io.clustermode.raft.StateChange#leaderReady()}): the application may treat
 *                      it as primary
 */
public record NodeStatus(NodeId nodeId, Role role, long term, NodeId leader, long commitIndex, long appliedIndex,
                         long lastIndex, Configuration configuration, boolean running, boolean leaderReady) {
}
