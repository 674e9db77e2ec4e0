package io.clustermode.membership;

import io.clustermode.NodeId;
import io.clustermode.membership.MemberDirectory.Origin;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How each member came into the cluster — it bootstrapped it, the primary's discovery named it, or
 * it asked through a contact — as far as this node knows. Only the primary that adds a member
 * knows for sure; it tells the others in its {@link MemberDirectory}, and they tell each other.
 * The primary's word wins; another member's only fills a gap. Kept in memory: a node that
 * restarts learns it again from the others (and when every member restarted, nobody knows:
 * {@link Origin#UNKNOWN}). For display only; no decision depends on it.
 *
 * <p>Thread-safe: the membership thread writes, transport threads read. Not an application API.
 */
public final class MemberOrigins {

    private final Map<NodeId, Origin> origins = new TreeMap<>();

    /** What this node knows first-hand: it bootstrapped the cluster, or it added {@code id} as primary. */
    public synchronized void record(NodeId id, Origin origin) {
        if (origin != Origin.UNKNOWN) {
            origins.put(id, origin);
        }
    }

    /**
     * Learns from {@code describer}'s directory: everything it knows when it is the primary (it
     * names itself as such), otherwise only what this node does not know yet.
     */
    public synchronized void learn(NodeId describer, MemberDirectory directory) {
        boolean fromPrimary = describer.equals(directory.primary());
        for (MemberDirectory.Entry entry : directory.entries()) {
            if (entry.origin() == Origin.UNKNOWN) {
                continue;
            }
            if (fromPrimary) {
                origins.put(entry.id(), entry.origin());
            } else {
                origins.putIfAbsent(entry.id(), entry.origin());
            }
        }
    }

    /** Forgets every node that is not in {@code members}: one removed and added again comes in anew. */
    public synchronized void retain(Set<NodeId> members) {
        origins.keySet().retainAll(members);
    }

    /** How {@code id} came in; {@link Origin#UNKNOWN} when this node does not know. */
    public synchronized Origin of(NodeId id) {
        return origins.getOrDefault(id, Origin.UNKNOWN);
    }
}
