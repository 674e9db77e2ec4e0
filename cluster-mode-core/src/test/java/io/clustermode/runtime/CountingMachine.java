package io.clustermode.runtime;

import io.clustermode.StateMachine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A state machine for tests: keeps every command as text, in order; the result is the count. */
final class CountingMachine implements StateMachine<Integer> {

    final List<String> applied = new ArrayList<>();

    @Override
    public Integer apply(long index, byte[] command) {
        applied.add(new String(command, StandardCharsets.UTF_8));
        return applied.size();
    }

    @Override
    public byte[] snapshot() {
        StringBuilder all = new StringBuilder();
        applied.forEach(command -> all.append(command).append('\n'));
        byte[] text = all.toString().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + text.length).putInt(applied.size()).put(text).array();
    }

    @Override
    public void restore(byte[] snapshot) {
        ByteBuffer buffer = ByteBuffer.wrap(snapshot);
        int count = buffer.getInt();
        byte[] text = new byte[buffer.remaining()];
        buffer.get(text);
        applied.clear();
        if (count > 0) {
            applied.addAll(List.of(new String(text, StandardCharsets.UTF_8).split("\n")));
        }
    }
}
