package io.clustermode.raft;

import io.clustermode.NodeId;

/**
 * A change of this core's role, term or known leader, with the reason, so the driver can log
 * it ("node, term, reason") and tell the application.
 *
 * @param role   the new role
 * @param term   the term
 * @param leader the known leader; null when none is known
 * @param reason why it changed, in a few words
 */
public record StateChange(Role role, long term, NodeId leader, String reason) {
}
