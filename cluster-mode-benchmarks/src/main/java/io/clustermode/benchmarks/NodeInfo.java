package io.clustermode.benchmarks;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one node said of itself in {@code GET /cluster/info}: the fields the benchmarks wait on.
 *
 * @param nodeId      the node's id
 * @param role        {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}
 * @param term        its Raft term
 * @param leaderId    the primary it knows, or null
 * @param commitIndex its commit index
 * @param voters      members it lists as voters
 */
public record NodeInfo(String nodeId, String role, long term, String leaderId, long commitIndex, int voters) {

    private static final Pattern NODE_ID = Pattern.compile("\"nodeId\":\\s*\"([^\"]*)\"");
    private static final Pattern ROLE = Pattern.compile("\"role\":\\s*\"([^\"]*)\"");
    private static final Pattern TERM = Pattern.compile("\"term\":\\s*(\\d+)");
    private static final Pattern LEADER = Pattern.compile("\"leaderId\":\\s*(null|\"([^\"]*)\")");
    private static final Pattern COMMIT = Pattern.compile("\"commitIndex\":\\s*(\\d+)");
    private static final Pattern VOTER = Pattern.compile("\"voter\":\\s*true");

    /** Parses an answer body; the node's own fields come before its {@code members} array. */
    public static NodeInfo parse(String json) {
        int members = json.indexOf("\"members\"");
        String own = members < 0 ? json : json.substring(0, members);
        Matcher leader = LEADER.matcher(own);
        String leaderId = leader.find() ? leader.group(2) : null;
        int voters = 0;
        Matcher voter = VOTER.matcher(json);
        while (voter.find()) {
            voters++;
        }
        return new NodeInfo(group(NODE_ID, own), group(ROLE, own), Long.parseLong(group(TERM, own)), leaderId,
                Long.parseLong(group(COMMIT, own)), voters);
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("/cluster/info without " + pattern + ": " + text);
        }
        return m.group(1);
    }

    /** Whether this node calls itself the primary. */
    public boolean isPrimary() {
        return "PRIMARY".equals(role);
    }
}
