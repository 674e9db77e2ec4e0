package io.clustermode.testkit;

import io.clustermode.StateMachine;

import java.nio.ByteBuffer;

/**
 * A deliberately broken state machine: it keeps a count, and the time each node applied the
 * last command — read from the node's own clock, so no two nodes hold the same state.
 */
final class ClockStampingStore implements StateMachine<Long> {
    long count;
    long appliedAtNanos;

    @Override
    public Long apply(long index, byte[] command) {
        appliedAtNanos = System.nanoTime(); // the bug: state from outside the log
        return ++count;
    }

    @Override
    public byte[] snapshot() {
        return ByteBuffer.allocate(16).putLong(count).putLong(appliedAtNanos).array();
    }

    @Override
    public void restore(byte[] snapshot) {
        ByteBuffer buffer = ByteBuffer.wrap(snapshot);
        count = buffer.getLong();
        appliedAtNanos = buffer.getLong();
    }
}
