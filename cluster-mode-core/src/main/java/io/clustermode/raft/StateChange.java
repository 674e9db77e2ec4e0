package io.clustermode.raft;

import io.clustermode.NodeId;

/**
 * A change of this core's role, term or known leader, with the reason, so the driver can log
 * it ("node, term, reason") and tell the application.
 *
 * @param role   the new role
 * @param term   the term
 * @param leader the known leader; null when none is known
 * @param leaderReady the role is {@link Role#LEADER} and the leader has committed an entry of its
 *               own term: once the Ready that carries this change is applied, its state machine
 *               holds every entry committed before its election (thesis §6.4). Until then a new
 *               leader may not yet know that entries of earlier terms are committed, so what it
 *               has applied can miss writes that were acknowledged: the application must not
 *               treat it as primary yet
 * @param reason why it changed, in a few words
 */
public record StateChange(Role role, long term, NodeId leader, boolean leaderReady, String reason) {
}
