package io.clustermode.faults;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;

/**
 * What one node said of itself in one poll of {@code GET /cluster/info}.
 *
 * @param nodeId   the node's {@code nodeId}
 * @param role     its {@code role}: {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}
 * @param term     its {@code term}
 * @param atNanos  {@link System#nanoTime()} when the answer came
 */
public record InfoSample(String nodeId, String role, long term, long atNanos) {

    public InfoSample {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(role, "role");
    }

    /**
     * Reads the sample from a {@code GET /cluster/info} answer body: its top-level
     * {@code nodeId}, {@code role} and {@code term}.
     */
    public static InfoSample fromClusterInfo(String json, long atNanos) {
        Object parsed = Json.parse(json);
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("/cluster/info is not a JSON object");
        }
        Map<?, ?> info = (Map<?, ?>) parsed;
        Object nodeId = info.get("nodeId");
        Object role = info.get("role");
        Object term = info.get("term");
        if (!(nodeId instanceof String) || !(role instanceof String) || !(term instanceof BigDecimal)) {
            throw new IllegalArgumentException("/cluster/info lacks nodeId, role or term: " + json);
        }
        return new InfoSample((String) nodeId, (String) role, ((BigDecimal) term).longValueExact(), atNanos);
    }

    /** Whether the node called itself the primary. */
    public boolean isPrimary() {
        return "PRIMARY".equals(role);
    }
}
