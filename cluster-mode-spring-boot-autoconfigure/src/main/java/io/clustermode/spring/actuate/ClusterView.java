package io.clustermode.spring.actuate;

import io.clustermode.Cluster;
import io.clustermode.ClusterStatus;
import io.clustermode.Member;
import io.clustermode.NodeId;

import java.util.List;
import java.util.stream.Collectors;

/**
 * This node's view of its cluster, as {@code GET /actuator/cluster} shows it: the fields of
 * {@code GET /cluster/info} of the command line's HTTP API, and the fencing token.
 *
 * @param nodeId       this node
 * @param clusterName  the cluster's name
 * @param clusterId    the id the cluster chose at bootstrap; null until this node knows it
 * @param role         {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}
 * @param term         the current Raft term
 * @param primary      the primary this node knows; null when none
 * @param fencingToken the fencing token while this node is primary; null otherwise
 * @param commitIndex  the highest log index known committed
 * @param appliedIndex the highest log index applied
 * @param members      every member: id, transport address, voter or learner, role, how it came in
 */
public record ClusterView(String nodeId, String clusterName, String clusterId, String role, long term,
                          String primary, Long fencingToken, long commitIndex, long appliedIndex,
                          List<MemberView> members) {

    /**
     * One member.
     *
     * @param nodeId  its id
     * @param address its transport address, host:port; empty when unknown
     * @param voter   whether it votes (the others are learners)
     * @param role     {@code PRIMARY} or {@code SECONDARY} as this node knows (this node's own role for itself)
     * @param joinedBy how it came in ({@code bootstrap}, {@code discovery}, {@code contact}); null when
     *                 this node does not know, as {@code /cluster/info} says it
     */
    public record MemberView(String nodeId, String address, boolean voter, String role, String joinedBy) {

        static MemberView of(Member member, io.clustermode.JoinedBy joinedBy) {
            return new MemberView(member.id().value(), member.address(), member.voter(), member.role().name(),
                    joinedBy == io.clustermode.JoinedBy.UNKNOWN ? null : joinedBy.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** The view of {@code cluster} now. */
    public static ClusterView of(Cluster<?, ?> cluster) {
        ClusterStatus status = cluster.status();
        java.util.OptionalLong token = cluster.fencingToken();
        return new ClusterView(cluster.id().value(), cluster.config().clusterName(), cluster.clusterId().orElse(null),
                status.role().name(), status.term(), status.primary().map(NodeId::value).orElse(null),
                token.isPresent() ? token.getAsLong() : null, status.commitIndex(), status.appliedIndex(),
                members(cluster));
    }

    static List<MemberView> members(Cluster<?, ?> cluster) {
        return cluster.members().stream().map(m -> MemberView.of(m, cluster.joinedBy(m.id())))
                .collect(Collectors.toList());
    }
}
