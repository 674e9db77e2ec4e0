package io.clustermode.simulation;

import io.clustermode.raft.Entry;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The simulated application: it folds every applied entry (index, term, type, data) into a
 * running hash, so two nodes that applied the same entries in the same order have the same
 * hash at every index, and a snapshot is just (index, hash) plus padding to make it span
 * several chunks.
 */
final class SimStateMachine {

    long appliedIndex;
    long hash;

    void apply(Entry entry) {
        if (entry.index() != appliedIndex + 1) {
            throw new InvariantViolation("apply order", "applied " + entry.index() + " after " + appliedIndex);
        }
        long h = hash;
        h = mix(h, entry.index());
        h = mix(h, entry.term());
        h = mix(h, entry.type().ordinal());
        h = mix(h, Arrays.hashCode(entry.data()));
        hash = h;
        appliedIndex = entry.index();
    }

    byte[] snapshot(int padding) {
        ByteBuffer buffer = ByteBuffer.allocate(16 + padding);
        buffer.putLong(appliedIndex).putLong(hash);
        return buffer.array();
    }

    void restore(long index, byte[] data) {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        long storedIndex = buffer.getLong();
        if (storedIndex != index) {
            throw new InvariantViolation("snapshot integrity", "snapshot for index " + index + " holds state of "
                    + storedIndex);
        }
        appliedIndex = storedIndex;
        hash = buffer.getLong();
    }

    private static long mix(long h, long value) {
        long x = h ^ (value + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2));
        x *= 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 31);
    }
}
