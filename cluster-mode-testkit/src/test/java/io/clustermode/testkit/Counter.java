package io.clustermode.testkit;

import io.clustermode.StateMachine;

import static java.nio.charset.StandardCharsets.UTF_8;

/** The README's state machine, as it is there: a command is a number to add; the result is the new value. */
final class Counter implements StateMachine<Long> {
    long value;

    @Override
    public Long apply(long index, byte[] command) {
        return value += Long.parseLong(new String(command, UTF_8));
    }

    @Override
    public byte[] snapshot() {
        return Long.toString(value).getBytes(UTF_8);
    }

    @Override
    public void restore(byte[] snapshot) {
        value = Long.parseLong(new String(snapshot, UTF_8));
    }
}
