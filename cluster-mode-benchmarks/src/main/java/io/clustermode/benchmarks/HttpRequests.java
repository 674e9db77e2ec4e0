package io.clustermode.benchmarks;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

/**
 * The requests of one HTTP load, encoded once before it starts: for each connection a short
 * cycle of requests over that connection's own keys ({@value #KEYS_PER_CONNECTION} of them),
 * so that sending one costs no formatting and the store stays small however long the load.
 * A read load uses the same keys as the write load before it, so every key it asks for exists.
 *
 * <p>Immutable; the load generator's event loops read it concurrently.
 */
public final class HttpRequests {

    /** Keys each connection cycles through. */
    public static final int KEYS_PER_CONNECTION = 16;

    private final byte[][][] encoded;

    private HttpRequests(byte[][][] encoded) {
        this.encoded = encoded;
    }

    /** The bytes of connection {@code connection}'s {@code sequence}-th request. */
    public byte[] request(int connection, long sequence) {
        byte[][] cycle = encoded[connection];
        return cycle[(int) (sequence % cycle.length)];
    }

    /** How many connections this load has requests for. */
    public int connections() {
        return encoded.length;
    }

    /** The key of connection {@code connection}'s {@code slot}-th request. */
    public static String key(int connection, int slot) {
        return "k" + connection + "-" + slot;
    }

    /** {@code PUT /kv/{key}} with {@code value} as body: a cluster-mode write. */
    public static HttpRequests kvPut(String hostPort, int connections, byte[] value) {
        return build(connections, (c, k) -> encode("PUT", "/kv/" + key(c, k), hostPort, null, value));
    }

    /** {@code GET /kv/{key}}: a cluster-mode read at the default, linearizable consistency. */
    public static HttpRequests kvGet(String hostPort, int connections) {
        return build(connections, (c, k) -> encode("GET", "/kv/" + key(c, k), hostPort, null, null));
    }

    /** {@code POST /v3/kv/put}: an etcd write through its HTTP/JSON gateway. */
    public static HttpRequests etcdPut(String hostPort, int connections, byte[] value) {
        return build(connections, (c, k) -> encode("POST", "/v3/kv/put", hostPort, "application/json",
                EtcdJson.put(key(c, k), value)));
    }

    /** {@code POST /v3/kv/range} of one key: an etcd read, linearizable by default ({@code serializable=false}). */
    public static HttpRequests etcdRange(String hostPort, int connections) {
        return build(connections, (c, k) -> encode("POST", "/v3/kv/range", hostPort, "application/json",
                EtcdJson.range(key(c, k))));
    }

    /** {@code GET /health} on every connection: the trivial request that shows the generator's ceiling. */
    public static HttpRequests health(String hostPort, int connections) {
        byte[] one = encode("GET", "/health", hostPort, null, null);
        byte[][][] all = new byte[connections][][];
        for (int c = 0; c < connections; c++) {
            all[c] = new byte[][] {one};
        }
        return new HttpRequests(all);
    }

    private static HttpRequests build(int connections, BiFunction<Integer, Integer, byte[]> request) {
        byte[][][] all = new byte[connections][KEYS_PER_CONNECTION][];
        for (int c = 0; c < connections; c++) {
            for (int k = 0; k < KEYS_PER_CONNECTION; k++) {
                all[c][k] = request.apply(c, k);
            }
        }
        return new HttpRequests(all);
    }

    /** One HTTP/1.1 request, kept alive (the default of HTTP/1.1), with a body when {@code body} is not null. */
    static byte[] encode(String method, String path, String hostPort, String contentType, byte[] body) {
        StringBuilder head = new StringBuilder(128).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostPort).append("\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }
}
