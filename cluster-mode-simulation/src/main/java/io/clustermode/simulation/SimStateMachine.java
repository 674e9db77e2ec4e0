package io.clustermode.simulation;

import io.clustermode.StateMachine;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The simulated application: it folds every applied command (index and bytes) into a running
 * hash, so two nodes that applied the same commands in the same order have the same hash at
 * every index, and a snapshot is just (index, hash) plus padding to make it span several
 * chunks. It is a {@link StateMachine} like any application's, driven by the node's
 * {@code ReadyDriver}; its result is the hash after the command (a {@code Long}).
 */
final class SimStateMachine implements StateMachine<Object> {

    private final IntSupplier padding;
    long appliedIndex;
    long hash;

    /** @param padding bytes of padding for each snapshot */
    SimStateMachine(IntSupplier padding) {
        this.padding = padding;
    }

    @Override
    public Object apply(long index, byte[] command) {
        if (index <= appliedIndex) {
            throw new InvariantViolation("apply order", "applied " + index + " after " + appliedIndex);
        }
        hash = mix(mix(hash, index), Arrays.hashCode(command));
        appliedIndex = index;
        return hash;
    }

    @Override
    public byte[] snapshot() {
        ByteBuffer buffer = ByteBuffer.allocate(16 + padding.getAsInt());
        buffer.putLong(appliedIndex).putLong(hash);
        return buffer.array();
    }

    @Override
    public void restore(byte[] data) {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        appliedIndex = buffer.getLong();
        hash = buffer.getLong();
    }

    private static long mix(long h, long value) {
        long x = h ^ (value + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2));
        x *= 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 31);
    }
}
