package io.clustermode.testkit;

import io.clustermode.StateMachine;
import io.clustermode.linearizability.OpKind;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A minimal key-value store, shaped as the node's own (cluster-mode-cli's KvStore): put,
 * compare-and-set and delete as commands, a sorted map as the state (sorted, so its snapshot
 * is the same bytes on every node). Commands are text: {@code put K V}, {@code cas K OLD NEW},
 * {@code del K}; the result is {@code ok}, or {@code mismatch} for a compare-and-set that found
 * another value.
 */
final class KeyValueStore implements StateMachine<String> {

    final Map<String, String> map = new TreeMap<>();

    static byte[] put(String key, String value) {
        return ("put " + key + " " + value).getBytes(UTF_8);
    }

    static byte[] cas(String key, String expected, String value) {
        return ("cas " + key + " " + expected + " " + value).getBytes(UTF_8);
    }

    static byte[] delete(String key) {
        return ("del " + key).getBytes(UTF_8);
    }

    /** The store's commands as registers, for the register checker. */
    static final RegisterModel<String> REGISTERS = new RegisterModel<>() {
        @Override
        public Write write(byte[] command) {
            String[] words = new String(command, UTF_8).split(" ");
            return switch (words[0]) {
                case "put" -> new Write(words[1], OpKind.PUT, words[2], null);
                case "cas" -> new Write(words[1], OpKind.CAS, words[3], words[2]);
                case "del" -> new Write(words[1], OpKind.DELETE, null, null);
                default -> throw new IllegalArgumentException("not a command: " + words[0]);
            };
        }

        @Override
        public boolean tookEffect(byte[] command, String result) {
            return "ok".equals(result);
        }
    };

    @Override
    public String apply(long index, byte[] command) {
        String[] words = new String(command, UTF_8).split(" ");
        switch (words[0]) {
            case "put" -> map.put(words[1], words[2]);
            case "cas" -> {
                if (!words[2].equals(map.get(words[1]))) {
                    return "mismatch";
                }
                map.put(words[1], words[3]);
            }
            case "del" -> map.remove(words[1]);
            default -> throw new IllegalArgumentException("not a command: " + words[0]);
        }
        return "ok";
    }

    @Override
    public byte[] snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(map.size());
            for (Map.Entry<String, String> entry : map.entrySet()) {
                out.writeUTF(entry.getKey());
                out.writeUTF(entry.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void restore(byte[] snapshot) {
        map.clear();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            int size = in.readInt();
            for (int i = 0; i < size; i++) {
                map.put(in.readUTF(), in.readUTF());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
