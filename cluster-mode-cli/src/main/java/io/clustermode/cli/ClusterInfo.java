package io.clustermode.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The document of {@code GET /cluster/info}, as CONTRACT.md names its fields, and as
 * {@code status} and {@code demo} read it back. Beyond the contract: the transport
 * {@code address}, this node's {@code http} address, the primary's ({@code leaderHttp}), and
 * each member's {@code http} address when it has announced one.
 *
 * @param nodeId       this node's id
 * @param clusterName  the cluster's name
 * @param role         {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}
 * @param term         the current Raft term
 * @param leaderId     the primary's id, or null when none is known
 * @param commitIndex  the highest log index known committed
 * @param appliedIndex the highest log index applied to the state machine
 * @param members      the members of the configuration in effect
 * @param address      this node's transport address, as advertised
 * @param http         where this node serves the HTTP API, as announced
 * @param leaderHttp   where the primary serves it, or null when unknown
 */
@JsonPropertyOrder({"nodeId", "clusterName", "role", "term", "leaderId", "commitIndex", "appliedIndex", "members",
        "address", "http", "leaderHttp"})
record ClusterInfo(String nodeId, String clusterName, String role, long term, String leaderId, long commitIndex,
                   long appliedIndex, List<MemberInfo> members, String address, String http, String leaderHttp) {

    ClusterInfo {
        members = members == null ? List.of() : List.copyOf(members);
    }

    /**
     * One member.
     *
     * @param nodeId  its id
     * @param address its transport address
     * @param voter   whether it votes (else a learner)
     * @param role    {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}
     * @param http    where it serves the HTTP API, or null when it has not announced it
     */
    @JsonPropertyOrder({"nodeId", "address", "voter", "role", "http"})
    record MemberInfo(String nodeId, String address, boolean voter, String role, String http) {
    }
}
