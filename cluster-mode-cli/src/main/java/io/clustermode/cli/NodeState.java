package io.clustermode.cli;

import io.clustermode.StateMachine;
import io.clustermode.kv.KvStore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The state machine of {@code bin/cluster-mode node}: the user's {@link KvStore} and, beside it,
 * a directory of where each node serves its HTTP API.
 *
 * <p>Why a replicated directory: a secondary forwards writes to the primary's HTTP API, so it
 * must know that address, but the cluster only knows transport addresses and {@code --http} may
 * be anything. A node that becomes primary therefore proposes "I serve HTTP at ..." through the
 * log; every node then knows it, also after restarts (it is in the snapshot), without any
 * convention between ports and without asking around.
 *
 * <p>A command is one tag byte ({@link #KV} or {@link #DIRECTORY}) and the payload.
 */
final class NodeState implements StateMachine<KvStore.Result> {

    static final byte KV = 0;
    static final byte DIRECTORY = 1;

    private final KvStore kv = new KvStore();
    /** Node id to HTTP {@code host:port}. Written on the event loop; read from HTTP threads, hence concurrent. */
    private final ConcurrentSkipListMap<String, String> httpAddresses = new ConcurrentSkipListMap<>();

    /** Wraps a {@link KvStore} command. */
    static byte[] kv(byte[] command) {
        byte[] out = new byte[command.length + 1];
        out[0] = KV;
        System.arraycopy(command, 0, out, 1, command.length);
        return out;
    }

    /** A command recording that {@code nodeId} serves HTTP at {@code httpAddress}. */
    static byte[] announce(String nodeId, String httpAddress) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(DIRECTORY);
            out.writeUTF(nodeId);
            out.writeUTF(httpAddress);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public KvStore.Result apply(long index, byte[] command) {
        if (command.length == 0) {
            return KvStore.Result.MALFORMED;
        }
        if (command[0] == KV) {
            byte[] inner = new byte[command.length - 1];
            System.arraycopy(command, 1, inner, 0, inner.length);
            return kv.apply(index, inner);
        }
        if (command[0] == DIRECTORY) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(command, 1, command.length - 1))) {
                String node = in.readUTF();
                String address = in.readUTF();
                httpAddresses.put(node, address);
                return KvStore.Result.OK;
            } catch (IOException e) {
                return KvStore.Result.MALFORMED;
            }
        }
        return KvStore.Result.MALFORMED;
    }

    @Override
    public byte[] snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            byte[] store = kv.snapshot();
            out.writeInt(store.length);
            out.write(store);
            out.writeInt(httpAddresses.size());
            for (Map.Entry<String, String> entry : httpAddresses.entrySet()) {
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
        if (snapshot.length == 0) {
            kv.restore(snapshot);
            httpAddresses.clear();
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            byte[] store = new byte[in.readInt()];
            in.readFully(store);
            int count = in.readInt();
            Map<String, String> addresses = new java.util.TreeMap<>();
            for (int i = 0; i < count; i++) {
                addresses.put(in.readUTF(), in.readUTF());
            }
            kv.restore(store);
            httpAddresses.clear();
            httpAddresses.putAll(addresses);
        } catch (IOException e) {
            throw new IllegalStateException("damaged node snapshot", e);
        }
    }

    /** The key-value store; query it only on the event loop (through {@code Cluster.read}). */
    KvStore kv() {
        return kv;
    }

    /** Where {@code nodeId} serves HTTP, as last announced; safe from any thread. */
    Optional<String> httpAddress(String nodeId) {
        return Optional.ofNullable(httpAddresses.get(nodeId));
    }

    String value(String key) {
        return kv.get(key).map(v -> new String(v, StandardCharsets.UTF_8)).orElse(null);
    }
}
