package io.clustermode.simulation;

import io.clustermode.NodeId;
import io.clustermode.raft.RaftCore;
import io.clustermode.raft.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The last steps of a run, kept cheaply (numbers, not text) and printed only when a run
 * fails: what happened at each step and the status of the node it happened to. With a
 * listener attached (for {@code --seed S --trace}) every step is printed as it happens.
 */
final class Trace {

    /** One node's status after a step: role, term, commit, applied, leader, last index. */
    record Status(NodeId id, Role role, long term, long commit, long applied, NodeId leader, long last,
                  long lastTerm) {
        @Override
        public String toString() {
            return id + " " + role + " t" + term + " commit=" + commit + " applied=" + applied + " leader=" + leader
                    + " last=" + last + "@" + lastTerm;
        }
    }

    // The ring, one array per field: recording a step stores numbers and references, and
    // allocates nothing (it happens at every step of every schedule); text is made only when a
    // run fails or a listener prints.
    private final long[] times;
    private final NodeId[] nodes;
    private final Object[] whats;
    private final NodeId[] statusIds;
    private final Role[] roles;
    private final long[] terms;
    private final long[] commits;
    private final long[] applieds;
    private final NodeId[] leaders;
    private final long[] lasts;
    private final long[] lastTerms;
    private int next;
    private long count;
    private Consumer<String> listener;

    Trace(int capacity) {
        times = new long[capacity];
        nodes = new NodeId[capacity];
        whats = new Object[capacity];
        statusIds = new NodeId[capacity];
        roles = new Role[capacity];
        terms = new long[capacity];
        commits = new long[capacity];
        applieds = new long[capacity];
        leaders = new NodeId[capacity];
        lasts = new long[capacity];
        lastTerms = new long[capacity];
    }

    void listen(Consumer<String> printer) {
        this.listener = printer;
    }

    void record(long time, NodeId node, Object what, RaftCore core) {
        int at = next;
        times[at] = time;
        nodes[at] = node;
        whats[at] = what;
        if (core == null) {
            statusIds[at] = null;
        } else {
            statusIds[at] = core.id();
            roles[at] = core.role();
            terms[at] = core.term();
            commits[at] = core.commitIndex();
            applieds[at] = core.appliedIndex();
            leaders[at] = core.leader();
            lasts[at] = core.lastIndex();
            lastTerms[at] = core.lastTerm();
        }
        next = (at + 1) % times.length;
        count++;
        if (listener != null) {
            listener.accept(line(at));
        }
    }

    private String line(int at) {
        Status status = statusIds[at] == null ? null : new Status(statusIds[at], roles[at], terms[at], commits[at],
                applieds[at], leaders[at], lasts[at], lastTerms[at]);
        return String.format("t=%-6d %-4s %-60s | %s", times[at], nodes[at] == null ? "-" : nodes[at], whats[at],
                status == null ? "" : status);
    }

    /** The kept steps, oldest first. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        int size = (int) Math.min(count, times.length);
        for (int i = 0; i < size; i++) {
            lines.add(line((next - size + i + times.length) % times.length));
        }
        return lines;
    }
}
