package io.clustermode.membership;

import io.clustermode.codec.MalformedInputException;
import io.clustermode.codec.Wire;
import io.clustermode.NodeId;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * Makes sure that nodes starting together form exactly one cluster. Only the node with the
 * lowest id among those known bootstraps (a configuration of itself alone; the others are
 * added through the log), and only after every other known node confirmed it is not a member
 * of a cluster and knows no lower id. A node that is asked remembers the asker, and answers
 * and decides under one lock, so of two nodes that could each think themselves lowest, the one
 * that asks second learns of the other, or hears that it already bootstrapped.
 *
 * <p>Used by the cluster's membership rounds and by the deterministic simulation; not an
 * application API. Thread-safe.
 */
public final class BootstrapGuard {

    /**
     * What a node says of itself when asked.
     *
     * @param member whether it belongs to a cluster (or is bootstrapping one)
     * @param known  every node it knows of, itself and its askers included
     */
    public record Status(boolean member, Set<NodeId> known) {

        /** The most ids a status carries; beyond that it is cut (and the asker waits for more rounds). */
        static final int MAX_IDS = 64;

        public Status {
            known = java.util.Collections.unmodifiableSet(new TreeSet<>(known));
        }

        /** The lowest id this node knows; null when it knows none. */
        public NodeId lowestKnown() {
            return known.isEmpty() ? null : ((TreeSet<NodeId>) new TreeSet<>(known)).first();
        }

        /** The bytes sent in the transport handshake. */
        public byte[] encode() {
            List<NodeId> ids = new ArrayList<>(known).subList(0, Math.min(known.size(), MAX_IDS));
            int size = 1 + 2;
            for (NodeId id : ids) {
                size += Wire.sizeOf(id);
            }
            ByteBuffer out = ByteBuffer.allocate(size);
            out.put((byte) (member ? 1 : 0));
            out.putShort((short) ids.size());
            ids.forEach(id -> Wire.putNodeId(out, id));
            return out.array();
        }

        /**
         * Decodes a peer's status, ignoring what follows it (a {@link MemberDirectory}, or fields
         * of later versions); a peer that said nothing (another transport) or something malformed
         * counts as a member: never bootstrap over it.
         */
        public static Status decode(byte[] bytes) {
            if (bytes.length == 0) {
                return new Status(true, Set.of());
            }
            try {
                return read(ByteBuffer.wrap(bytes));
            } catch (MalformedInputException e) {
                return new Status(true, Set.of());
            }
        }

        /** Reads a status from {@code in}'s position, leaving it just after the status. */
        static Status read(ByteBuffer in) throws MalformedInputException {
            boolean member = Wire.getBoolean(in);
            int count = Wire.getShort(in) & 0xFFFF;
            if (count > MAX_IDS) {
                throw new MalformedInputException(count + " ids in a status (at most " + MAX_IDS + ")");
            }
            Set<NodeId> ids = new TreeSet<>();
            for (int i = 0; i < count; i++) {
                ids.add(Wire.getNodeId(in));
            }
            return new Status(member, ids);
        }
    }

    private final NodeId self;
    private final BooleanSupplier hasConfiguration;
    /** The most nodes remembered: far beyond any cluster that bootstraps (maxNodes is 20 by default). */
    static final int MAX_KNOWN = 1024;
    private final TreeSet<NodeId> known = new TreeSet<>();
    private boolean bootstrapping;

    /**
     * @param self             this node
     * @param hasConfiguration whether this node belongs to a cluster (has any configuration)
     */
    public BootstrapGuard(NodeId self, BooleanSupplier hasConfiguration) {
        this.self = self;
        this.hasConfiguration = hasConfiguration;
        known.add(self);
    }

    /** Answers a node that asks who this one is, remembering it. Called on a transport thread. */
    public byte[] describeTo(NodeId asker) {
        return statusFor(asker).encode();
    }

    /** As {@link #describeTo}, undecoded. */
    public synchronized Status statusFor(NodeId asker) {
        // Bounded: askers are authenticated peers where it matters (a cluster secret or mutual
        // TLS), but an unbounded set would still let a buggy one grow memory.
        if (known.size() < MAX_KNOWN) {
            known.add(asker);
        }
        return new Status(bootstrapping || hasConfiguration.getAsBoolean(), known);
    }

    /** Remembers nodes discovery named. */
    public synchronized void learn(Set<NodeId> ids) {
        known.addAll(ids);
    }

    /** Every node this one knows of, itself included. */
    public synchronized Set<NodeId> known() {
        return new TreeSet<>(known);
    }

    /**
     * Decides, atomically with any answer to others, whether this node bootstraps now: after
     * learning every node the others know, it is the lowest id it knows, every other node it
     * knows answered this round, and none of {@code answers} (their statuses, by id) is a member.
     */
    public synchronized boolean claim(Map<NodeId, Status> answers) {
        // What the others know, this node now knows: a node they have seen may be
        // bootstrapping a cluster of its own, so it too must answer before anyone claims.
        answers.values().forEach(status -> known.addAll(status.known()));
        if (bootstrapping || hasConfiguration.getAsBoolean() || !known.first().equals(self)) {
            return false;
        }
        for (NodeId other : known) {
            if (!other.equals(self) && !answers.containsKey(other)) {
                return false;
            }
        }
        for (Status status : answers.values()) {
            if (status.member()) {
                return false;
            }
        }
        bootstrapping = true;
        return true;
    }

    /** The bootstrap did not happen after all (the node failed to apply it). */
    public synchronized void release() {
        bootstrapping = false;
    }
}
