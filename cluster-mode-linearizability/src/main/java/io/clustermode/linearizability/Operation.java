package io.clustermode.linearizability;

import java.util.Objects;

/**
 * One operation of a history on one key.
 *
 * <p>{@code value} is what a write writes (the new value of a CAS; {@code null} for a delete)
 * or what a successful read returned ({@code null}: the key was absent, and also when a read
 * did not complete). {@code expected} is the old value a CAS compares with, {@code null} for
 * other kinds. Times are {@link System#nanoTime()} of one JVM, so comparable across clients;
 * for an {@link Outcome#UNKNOWN} operation {@code completeNanos} is when the client gave up,
 * which bounds nothing: the checker lets it take effect at any later time.
 *
 * @param id            unique in its history, in invocation order
 * @param client        the client (one operation at a time per client)
 * @param key           the key
 * @param kind          what was asked
 * @param value         the written or read value, {@code null} meaning absent
 * @param expected      a CAS's expected old value
 * @param outcome       what the client learned
 * @param invokeNanos   when the request was sent
 * @param completeNanos when the answer (or the give-up) came
 */
public record Operation(int id, int client, String key, OpKind kind, String value, String expected,
                        Outcome outcome, long invokeNanos, long completeNanos) {

    public Operation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(outcome, "outcome");
        if (completeNanos < invokeNanos) {
            throw new IllegalArgumentException("operation " + id + " completes before it is invoked");
        }
        if (kind == OpKind.CAS && expected == null) {
            throw new IllegalArgumentException("a CAS needs an expected value (a missing key never matches)");
        }
        if (kind == OpKind.DELETE && value != null) {
            throw new IllegalArgumentException("a delete writes no value");
        }
    }

    /** A short human-readable form for reports, e.g. {@code c3 cas(a->b) ok}. */
    public String describe() {
        String what;
        switch (kind) {
            case PUT:
                what = "put(" + show(value) + ")";
                break;
            case GET:
                what = outcome == Outcome.OK ? "get->" + show(value) : "get";
                break;
            case CAS:
                what = "cas(" + show(expected) + "->" + show(value) + ")";
                break;
            default:
                what = "delete";
        }
        return "#" + id + " c" + client + " " + key + " " + what + " " + outcome.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String show(String v) {
        return v == null ? "absent" : v;
    }
}
