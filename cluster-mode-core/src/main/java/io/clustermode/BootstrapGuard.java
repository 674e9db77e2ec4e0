package io.clustermode;

import io.clustermode.codec.MalformedInputException;
import io.clustermode.codec.Wire;
import io.clustermode.raft.NodeId;

import java.nio.ByteBuffer;
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
 */
final class BootstrapGuard {

    /** What a node says of itself when asked. */
    record Status(boolean member, NodeId lowestKnown) {

        byte[] encode() {
            ByteBuffer out = ByteBuffer.allocate(1 + Wire.sizeOfOptional(lowestKnown));
            out.put((byte) (member ? 1 : 0));
            Wire.putOptionalNodeId(out, lowestKnown);
            return out.array();
        }

        /** Decodes a peer's status; a peer that said nothing (another transport) counts as a member: never bootstrap over it. */
        static Status decode(byte[] bytes) {
            if (bytes.length == 0) {
                return new Status(true, null);
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                return new Status(Wire.getBoolean(in), Wire.getOptionalNodeId(in));
            } catch (MalformedInputException e) {
                return new Status(true, null);
            }
        }
    }

    private final NodeId self;
    private final BooleanSupplier hasConfiguration;
    private final TreeSet<NodeId> known = new TreeSet<>();
    private boolean bootstrapping;

    BootstrapGuard(NodeId self, BooleanSupplier hasConfiguration) {
        this.self = self;
        this.hasConfiguration = hasConfiguration;
        known.add(self);
    }

    /** Answers a node that asks who this one is, remembering it. Called on a transport thread. */
    synchronized byte[] describeTo(NodeId asker) {
        known.add(asker);
        return new Status(bootstrapping || hasConfiguration.getAsBoolean(), known.first()).encode();
    }

    synchronized void learn(Set<NodeId> ids) {
        known.addAll(ids);
    }

    synchronized Set<NodeId> known() {
        return new TreeSet<>(known);
    }

    /**
     * Decides, atomically with any answer to others, whether this node bootstraps now: it is
     * the lowest id it knows, and none of {@code answers} (the other known nodes' statuses)
     * is a member or knows a lower id.
     */
    synchronized boolean claim(Iterable<Status> answers) {
        if (bootstrapping || hasConfiguration.getAsBoolean() || !known.first().equals(self)) {
            return false;
        }
        for (Status status : answers) {
            if (status.member() || (status.lowestKnown() != null && status.lowestKnown().compareTo(self) < 0)) {
                return false;
            }
        }
        bootstrapping = true;
        return true;
    }

    /** The bootstrap did not happen after all (the node failed to apply it). */
    synchronized void release() {
        bootstrapping = false;
    }
}
