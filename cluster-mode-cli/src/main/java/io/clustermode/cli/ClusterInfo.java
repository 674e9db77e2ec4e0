package io.clustermode.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.clustermode.cli.http.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The document of {@code GET /cluster/info}: what the node serves and what every reader (the
 * {@code status} and {@code demo} commands, the fault injection, the benchmarks, the tests)
 * reads back, all through Jackson. The field names are CONTRACT.md's: {@code nodeId},
 * {@code clusterName}, {@code role}, {@code term}, {@code leaderId}, {@code commitIndex},
 * {@code appliedIndex}, {@code members} ({@code nodeId}, {@code address}, {@code voter},
 * {@code role}). Beyond the contract: the transport {@code address}, this node's {@code http}
 * address, the primary's ({@code leaderHttp}), each member's {@code http} address when it
 * has announced one, and how each member came in ({@code joinedBy}).
 *
 * <p>Readers ignore fields they do not know, so this version reads the document of a newer node;
 * a document without {@code nodeId}, {@code role} or {@code term} is refused.
 *
 * @param nodeId       this node's id
 * @param clusterName  the cluster's name
 * @param role         {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}
 * @param term         the current Raft term
 * @param leaderId     the primary's id, or null when none is known
 * @param commitIndex  the highest log index known committed
 * @param appliedIndex the highest log index applied to the state machine
 * @param members      the members of the configuration in effect; never null
 * @param address      this node's transport address, as advertised
 * @param http         where this node serves the HTTP API, as announced
 * @param leaderHttp   where the primary serves it, or null when unknown
 * @param partitions   the partition groups this node takes part in (see {@link Partitions}); never null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"nodeId", "clusterName", "role", "term", "leaderId", "commitIndex", "appliedIndex", "members",
        "address", "http", "leaderHttp", "partitions"})
public record ClusterInfo(@JsonProperty(required = true) String nodeId, String clusterName,
                          @JsonProperty(required = true) String role, @JsonProperty(required = true) long term,
                          String leaderId, long commitIndex, long appliedIndex, List<MemberInfo> members,
                          String address, String http, String leaderHttp, List<Partitions> partitions) {

    /** The path the document is served at. */
    public static final String PATH = "/cluster/info";

    public ClusterInfo {
        members = members == null ? List.of() : List.copyOf(members);
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
    }

    /** A document without partition groups. */
    public ClusterInfo(String nodeId, String clusterName, String role, long term, String leaderId, long commitIndex,
                       long appliedIndex, List<MemberInfo> members, String address, String http, String leaderHttp) {
        this(nodeId, clusterName, role, term, leaderId, commitIndex, appliedIndex, members, address, http, leaderHttp,
                List.of());
    }

    /**
     * One partition group as this node sees it: the document of {@code GET /cluster/partitions/{group}}
     * too (CONTRACT.md).
     *
     * @param group  the group's name
     * @param count  its number of partitions
     * @param owners partition number (as a string) to the node holding it, or null when none does
     * @param epochs partition number (as a string) to the epoch of its latest grant
     * @param owned  the partitions this node holds now
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"group", "count", "owners", "epochs", "owned"})
    public record Partitions(String group, int count, java.util.Map<String, String> owners,
                             java.util.Map<String, Long> epochs, List<Integer> owned) {

        public Partitions {
            owners = owners == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(owners));
            epochs = epochs == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(epochs));
            owned = owned == null ? List.of() : List.copyOf(owned);
        }

        /** The group as {@code group} shows it here. */
        public static Partitions of(io.clustermode.PartitionGroup group) {
            java.util.Map<String, String> owners = new java.util.LinkedHashMap<>();
            java.util.Map<String, Long> epochs = new java.util.LinkedHashMap<>();
            for (int p = 0; p < group.count(); p++) {
                owners.put(Integer.toString(p), group.owner(p).map(io.clustermode.NodeId::value).orElse(null));
                epochs.put(Integer.toString(p), group.epoch(p));
            }
            return new Partitions(group.name(), group.count(), owners, epochs, List.copyOf(group.owned()));
        }

        /** How many partitions each node holds, by node; and how many none holds, under null. */
        @JsonIgnore
        public java.util.Map<String, Integer> countsByOwner() {
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>(java.util.Comparator.nullsLast(
                    java.util.Comparator.naturalOrder()));
            owners.values().forEach(owner -> counts.merge(owner, 1, Integer::sum));
            return counts;
        }
    }

    /**
     * One member.
     *
     * @param nodeId   its id
     * @param address  its transport address
     * @param voter    whether it votes (else a learner)
     * @param role     {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}
     * @param http     where it serves the HTTP API, or null when it has not announced it
     * @param joinedBy how it came into the cluster: {@code "bootstrap"} (it bootstrapped the
     *                 cluster), {@code "discovery"} (the primary's discovery named it),
     *                 {@code "contact"} (it reached a member through its own discovery and asked to
     *                 be added); null when the node asked does not know (or is older)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"nodeId", "address", "voter", "role", "http", "joinedBy"})
    public record MemberInfo(String nodeId, String address, boolean voter, String role, String http,
                             String joinedBy) {

        /** A member of whose coming in nothing is said. */
        public MemberInfo(String nodeId, String address, boolean voter, String role, String http) {
            this(nodeId, address, voter, role, http, null);
        }
    }

    /**
     * Reads a document.
     *
     * @throws IllegalArgumentException when {@code json} is not one (malformed, or without
     *                                  {@code nodeId}, {@code role} or {@code term})
     */
    public static ClusterInfo read(String json) {
        ClusterInfo info = Json.read(json, ClusterInfo.class);
        if (info == null) {
            throw new IllegalArgumentException("not a JSON ClusterInfo: null");
        }
        return info;
    }

    /**
     * Asks the node whose HTTP API is at {@code node} (e.g. {@code http://127.0.0.1:8600}) for
     * its document. Completes exceptionally when it cannot be asked within {@code timeout},
     * answers other than 200 ({@link IllegalStateException} naming the status and body), or
     * answers something that is not the document ({@link IllegalArgumentException}).
     *
     * @param authorization the {@code Authorization} header to send, or null for none
     */
    public static CompletableFuture<ClusterInfo> fetch(HttpClient client, URI node, Duration timeout,
                                                       String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.resolve(PATH)).timeout(timeout).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
                    }
                    return read(response.body());
                });
    }

    /** {@link #fetch(HttpClient, URI, Duration, String)} without authorization. */
    public static CompletableFuture<ClusterInfo> fetch(HttpClient client, URI node, Duration timeout) {
        return fetch(client, node, timeout, null);
    }

    /** Whether this node says it is the primary. */
    @JsonIgnore
    public boolean isPrimary() {
        return "PRIMARY".equals(role);
    }

    /** How many members it lists as voters. */
    @JsonIgnore
    public int voterCount() {
        return (int) members.stream().filter(MemberInfo::voter).count();
    }
}
