package io.clustermode.linearizability;

import java.util.ArrayList;
import java.util.List;

/** Builds small hand-written histories on key "k" with integer times. */
final class Hist {
    private final List<Operation> ops = new ArrayList<>();
    private String key = "k";

    Hist key(String k) {
        this.key = k;
        return this;
    }

    Hist put(int client, String v, long from, long to) {
        return add(client, OpKind.PUT, v, null, Outcome.OK, from, to);
    }

    Hist putUnknown(int client, String v, long from, long gaveUp) {
        return add(client, OpKind.PUT, v, null, Outcome.UNKNOWN, from, gaveUp);
    }

    Hist putFailed(int client, String v, long from, long to) {
        return add(client, OpKind.PUT, v, null, Outcome.FAILED, from, to);
    }

    Hist get(int client, String v, long from, long to) {
        return add(client, OpKind.GET, v, null, Outcome.OK, from, to);
    }

    Hist getUnknown(int client, long from, long to) {
        return add(client, OpKind.GET, null, null, Outcome.UNKNOWN, from, to);
    }

    Hist cas(int client, String expected, String v, long from, long to) {
        return add(client, OpKind.CAS, v, expected, Outcome.OK, from, to);
    }

    Hist casFailed(int client, String expected, String v, long from, long to) {
        return add(client, OpKind.CAS, v, expected, Outcome.FAILED, from, to);
    }

    Hist casUnknown(int client, String expected, String v, long from, long to) {
        return add(client, OpKind.CAS, v, expected, Outcome.UNKNOWN, from, to);
    }

    Hist delete(int client, long from, long to) {
        return add(client, OpKind.DELETE, null, null, Outcome.OK, from, to);
    }

    Hist add(int client, OpKind kind, String v, String expected, Outcome outcome, long from, long to) {
        ops.add(new Operation(ops.size(), client, key, kind, v, expected, outcome, from, to));
        return this;
    }

    History build() {
        return new History(ops);
    }

    Verdict check() {
        return new LinearizabilityChecker().check(build()).verdict();
    }
}
