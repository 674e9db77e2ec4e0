package io.clustermode;

import java.util.Objects;

/**
 * The identity of a cluster member. The core knows members only by id; addresses belong to
 * the runtime and the transport.
 *
 * <p>Ids are compared by their text, which gives every collection of members in the core a
 * deterministic order.
 *
 * @param value the id's text; not blank, at most 128 characters
 */
public record NodeId(String value) implements Comparable<NodeId> {

    /** The longest id accepted, in characters. */
    public static final int MAX_LENGTH = 128;

    /** @throws IllegalArgumentException when the id is blank or longer than {@link #MAX_LENGTH} */
    public NodeId {
        Objects.requireNonNull(value, "node id");
        if (value.isBlank() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("node id must be 1 to " + MAX_LENGTH + " characters, not blank: '" + value + "'");
        }
    }

    /** Shorthand for {@code new NodeId(value)}. */
    public static NodeId of(String value) {
        return new NodeId(value);
    }

    @Override
    public int compareTo(NodeId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
