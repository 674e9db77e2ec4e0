package io.clustermode.kv;

import io.clustermode.StateMachine;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A replicated key-value store: the {@link StateMachine} behind {@code bin/cluster-mode node}'s
 * {@code /kv} API, and an example of how to write one.
 *
 * <pre>{@code
 * Cluster<KvStore.Result, KvStore> cluster = Cluster.start(config, new KvStore());
 * cluster.submit(KvStore.put("colour", "blue".getBytes(UTF_8)))          // proposed, replicated,
 *        .thenAccept(done -> log("stored at index " + done.index()));   // then applied everywhere
 * byte[] colour = cluster.read(store -> store.get("colour").orElse(null),
 *         Consistency.LINEARIZABLE).join();
 * }</pre>
 *
 * <p>What makes it a good state machine:
 * <ul>
 *   <li>Commands are plain bytes built by {@link #put}, {@link #compareAndSet} and {@link #delete}:
 *       they are checked when built, so a bad one never reaches the log.</li>
 *   <li>{@link #apply} depends only on the map and the command — no clock, no randomness — so
 *       every node that applies the same log holds the same map. A command it cannot decode
 *       (say, written by a newer version) is answered with {@link Result#MALFORMED} on every
 *       node alike, rather than thrown.</li>
 *   <li>The map is sorted ({@link TreeMap}), so {@link #snapshot} writes the same bytes on every
 *       node for the same state.</li>
 * </ul>
 *
 * <p>Like every state machine it is called on the node's event loop only; reads from other
 * threads go through {@link io.clustermode.Cluster#read}, which runs them there too.
 *
 * <h2>Encoding</h2>
 * A command is one op byte, then the key (unsigned 16-bit length, UTF-8 bytes), then for
 * {@code CAS} the expected value and for {@code PUT}/{@code CAS} the new value (each a 32-bit
 * length and the bytes). A snapshot is a version byte, the entry count, then key/value pairs.
 */
public final class KvStore implements StateMachine<KvStore.Result> {

    /** Keys are 1 to this many bytes of UTF-8. */
    public static final int MAX_KEY_BYTES = 256;
    /** Values are at most this many bytes (1 MiB). */
    public static final int MAX_VALUE_BYTES = 1 << 20;

    private static final byte PUT = 'P';
    private static final byte CAS = 'C';
    private static final byte DELETE = 'D';
    private static final byte SNAPSHOT_VERSION = 1;

    /** What applying a command did. */
    public enum Result {
        /** The command took effect (a delete of a missing key also counts). */
        OK,
        /** A compare-and-set found another value, or no value: nothing changed. */
        MISMATCH,
        /** The command could not be decoded: nothing changed. */
        MALFORMED
    }

    private final TreeMap<String, byte[]> entries = new TreeMap<>();
    /** Bytes of keys (UTF-8) and values held; written on the event loop, read from any thread. */
    private volatile long storedBytes;

    // ------------------------------------------------------------------ commands

    /**
     * A command that sets {@code key} to {@code value}.
     *
     * @throws IllegalArgumentException when the key or value is too long (or the key empty)
     */
    public static byte[] put(String key, byte[] value) {
        return encode(PUT, key, null, value);
    }

    /**
     * A command that sets {@code key} to {@code value} only if its current value is {@code expected};
     * a missing key never matches.
     *
     * @throws IllegalArgumentException when a key or value is too long (or the key empty)
     */
    public static byte[] compareAndSet(String key, byte[] expected, byte[] value) {
        return encode(CAS, key, expected, value);
    }

    /**
     * A command that removes {@code key} (whether or not it is there).
     *
     * @throws IllegalArgumentException when the key is too long or empty
     */
    public static byte[] delete(String key) {
        return encode(DELETE, key, null, null);
    }

    /** Whether {@code key} may be stored: 1 to {@value #MAX_KEY_BYTES} bytes of UTF-8. */
    public static boolean validKey(String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        return key.getBytes(StandardCharsets.UTF_8).length <= MAX_KEY_BYTES;
    }

    private static byte[] encode(byte op, String key, byte[] expected, byte[] value) {
        if (!validKey(key)) {
            throw new IllegalArgumentException("a key is 1 to " + MAX_KEY_BYTES + " bytes of UTF-8");
        }
        checkValue(expected);
        checkValue(value);
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        int size = 1 + 2 + keyBytes.length + (expected == null ? 0 : 4 + expected.length)
                + (value == null ? 0 : 4 + value.length);
        ByteBuffer buffer = ByteBuffer.allocate(size).put(op).putShort((short) keyBytes.length).put(keyBytes);
        if (expected != null) {
            buffer.putInt(expected.length).put(expected);
        }
        if (value != null) {
            buffer.putInt(value.length).put(value);
        }
        return buffer.array();
    }

    private static void checkValue(byte[] value) {
        if (value != null && value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("a value is at most " + MAX_VALUE_BYTES + " bytes, was " + value.length);
        }
    }

    // ------------------------------------------------------------------ the state machine

    @Override
    public Result apply(long index, byte[] command) {
        try {
            ByteBuffer in = ByteBuffer.wrap(command);
            byte op = in.get();
            String key = readKey(in);
            switch (op) {
                case PUT: {
                    byte[] value = readValue(in);
                    requireEnd(in);
                    store(key, value);
                    return Result.OK;
                }
                case CAS: {
                    byte[] expected = readValue(in);
                    byte[] value = readValue(in);
                    requireEnd(in);
                    byte[] current = entries.get(key);
                    if (current == null || !Arrays.equals(current, expected)) {
                        return Result.MISMATCH;
                    }
                    store(key, value);
                    return Result.OK;
                }
                case DELETE:
                    requireEnd(in);
                    byte[] removed = entries.remove(key);
                    if (removed != null) {
                        storedBytes -= size(key, removed);
                    }
                    return Result.OK;
                default:
                    return Result.MALFORMED;
            }
        } catch (RuntimeException malformed) {
            // Truncated or otherwise undecodable: the same answer on every node, and no change.
            return Result.MALFORMED;
        }
    }

    private void store(String key, byte[] value) {
        byte[] old = entries.put(key, value);
        storedBytes += size(key, value) - (old == null ? 0 : size(key, old));
    }

    private static long size(String key, byte[] value) {
        return key.getBytes(StandardCharsets.UTF_8).length + (long) value.length;
    }

    private static String readKey(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        if (length == 0 || length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key length " + length);
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] readValue(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value length " + length);
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static void requireEnd(ByteBuffer in) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
    }

    @Override
    public byte[] snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(SNAPSHOT_VERSION);
            out.writeInt(entries.size());
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                byte[] key = entry.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeShort(key.length);
                out.write(key);
                out.writeInt(entry.getValue().length);
                out.write(entry.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    @Override
    public void restore(byte[] snapshot) {
        TreeMap<String, byte[]> restored = new TreeMap<>();
        if (snapshot.length > 0) {
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(snapshot))) {
                byte version = in.readByte();
                if (version != SNAPSHOT_VERSION) {
                    throw new IllegalStateException("unknown KvStore snapshot version " + version);
                }
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    byte[] key = new byte[in.readUnsignedShort()];
                    in.readFully(key);
                    byte[] value = new byte[in.readInt()];
                    in.readFully(value);
                    restored.put(new String(key, StandardCharsets.UTF_8), value);
                }
            } catch (IOException e) {
                throw new IllegalStateException("damaged KvStore snapshot", e);
            }
        }
        // Replace only once the whole snapshot was read: a damaged one leaves the state as it was.
        entries.clear();
        entries.putAll(restored);
        long total = 0;
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            total += size(entry.getKey(), entry.getValue());
        }
        storedBytes = total;
    }

    // ------------------------------------------------------------------ queries (run them through Cluster.read)

    /** The value of {@code key}; a copy, so the caller cannot change the store. */
    public Optional<byte[]> get(String key) {
        byte[] value = entries.get(key);
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    /** Bytes of all keys (as UTF-8) and values; safe to read from any thread. */
    public long bytes() {
        return storedBytes;
    }

    /** How many keys there are. */
    public int size() {
        return entries.size();
    }
}
