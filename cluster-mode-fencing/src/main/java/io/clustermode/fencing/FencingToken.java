package io.clustermode.fencing;

import java.util.regex.Pattern;

/**
 * A fencing token and the group it belongs to, as the {@value #HEADER} header carries them:
 * {@code <group>/<token>}. The group says whose tokens these are (a cluster's name, or one
 * partition of it): a resource compares tokens only within a group.
 *
 * @param group letters, digits and {@code . _ : -}, 1 to 128 of them
 * @param token the token, never negative (a cluster's is the primary's term)
 */
public record FencingToken(String group, long token) {

    /** The HTTP header that carries a fencing token. */
    public static final String HEADER = "Cluster-Fencing-Token";

    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern TOKEN = Pattern.compile("[0-9]{1,19}");

    /** @throws IllegalArgumentException when the group or the token is not one a header can carry */
    public FencingToken {
        if (group == null || !GROUP.matcher(group).matches()) {
            throw new IllegalArgumentException("a fencing token's group must be 1 to 128 letters, digits, '.', '_',"
                    + " ':' or '-', was " + (group == null ? "nothing" : "'" + group + "'"));
        }
        if (token < 0) {
            throw new IllegalArgumentException("a fencing token is never negative, was " + token);
        }
    }

    /**
     * Reads a header value, {@code <group>/<token>}.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static FencingToken parse(String headerValue) {
        if (headerValue == null) {
            throw new IllegalArgumentException("no " + HEADER + " header");
        }
        String value = headerValue.strip();
        int slash = value.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(HEADER + " must be <group>/<token>, was '" + shortened(value) + "'");
        }
        String token = value.substring(slash + 1);
        if (!TOKEN.matcher(token).matches()) {
            throw new IllegalArgumentException(HEADER + ": the token must be a non-negative decimal number, was '"
                    + shortened(token) + "'");
        }
        try {
            return new FencingToken(value.substring(0, slash), Long.parseLong(token));
        } catch (NumberFormatException tooLarge) {
            throw new IllegalArgumentException(HEADER + ": the token is larger than 2^63-1: '" + token + "'");
        }
    }

    /** The header value: {@code <group>/<token>}. */
    public String headerValue() {
        return group + "/" + token;
    }

    private static String shortened(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    @Override
    public String toString() {
        return headerValue();
    }
}
