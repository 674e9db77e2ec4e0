package io.clustermode.spring;

import io.clustermode.Cluster;
import io.clustermode.Member;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** The cluster's members changed, as this node sees them: a node joined, was promoted, or left. */
public final class MembershipChangedEvent extends ClusterEvent {

    private static final long serialVersionUID = 1L;

    private final transient Set<Member> members;

    /**
     * @param cluster the cluster
     * @param members every member now, sorted by id
     */
    public MembershipChangedEvent(Cluster<?, ?> cluster, Set<Member> members) {
        super(cluster);
        this.members = Collections.unmodifiableSet(new LinkedHashSet<>(members));
    }

    /** Every member now (id, transport address, voter or learner, role as this node knows it). */
    public Set<Member> members() {
        return members;
    }

    @Override
    public String toString() {
        return "MembershipChangedEvent{node=" + nodeId() + ", members=" + members + "}";
    }
}
