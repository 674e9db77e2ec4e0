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
        static Status of(RaftCore core) {
            return new Status(core.id(), core.role(), core.term(), core.commitIndex(), core.appliedIndex(),
                    core.leader(), core.lastIndex(), core.lastTerm());
        }

        @Override
        public String toString() {
            return id + " " + role + " t" + term + " commit=" + commit + " applied=" + applied + " leader=" + leader
                    + " last=" + last + "@" + lastTerm;
        }
    }

    private record Step(long time, NodeId node, Object what, Status status) {
        @Override
        public String toString() {
            return String.format("t=%-6d %-4s %-60s | %s", time, node == null ? "-" : node, what,
                    status == null ? "" : status);
        }
    }

    private final Step[] ring;
    private int next;
    private long count;
    private Consumer<String> listener;

    Trace(int capacity) {
        ring = new Step[capacity];
    }

    void listen(Consumer<String> printer) {
        this.listener = printer;
    }

    void record(long time, NodeId node, Object what, RaftCore core) {
        Step step = new Step(time, node, what, core == null ? null : Status.of(core));
        ring[next] = step;
        next = (next + 1) % ring.length;
        count++;
        if (listener != null) {
            listener.accept(step.toString());
        }
    }

    /** The kept steps, oldest first. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        int size = (int) Math.min(count, ring.length);
        for (int i = 0; i < size; i++) {
            Step step = ring[(next - size + i + ring.length) % ring.length];
            lines.add(step.toString());
        }
        return lines;
    }
}
