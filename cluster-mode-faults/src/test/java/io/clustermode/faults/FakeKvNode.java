package io.clustermode.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A fake node serving the contract's {@code /kv/{key}} from a store shared by all fake nodes
 * (so, linearizable: one lock), unless told to serve reads from a copy of the store that is
 * refreshed only now and then — the stale-read bug of a follower answering from its own state.
 */
final class FakeKvNode implements AutoCloseable {

    /** The shared, authoritative store. */
    static final class Store {
        final Map<String, String> data = new HashMap<>();
    }

    private final Store store;
    private final HttpServer server;
    private final long staleRefreshNanos;
    private Map<String, String> staleCopy = new HashMap<>();
    private long staleCopiedAt;

    /** @param staleRefreshMillis 0: linearizable reads; else reads come from a copy at most this old */
    FakeKvNode(Store store, long staleRefreshMillis) throws IOException {
        this.store = store;
        this.staleRefreshNanos = staleRefreshMillis * 1_000_000;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/kv/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange ex) throws IOException {
        String key = URLDecoder.decode(ex.getRequestURI().getRawPath().substring("/kv/".length()), StandardCharsets.UTF_8);
        String query = ex.getRequestURI().getRawQuery();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int status;
        String answer;
        synchronized (store) {
            switch (ex.getRequestMethod()) {
                case "PUT":
                    String expect = query != null && query.startsWith("expect=")
                            ? URLDecoder.decode(query.substring("expect=".length()), StandardCharsets.UTF_8) : null;
                    if (expect != null && !expect.equals(store.data.get(key))) {
                        status = 409;
                        answer = "{\"error\":\"mismatch\"}";
                    } else {
                        store.data.put(key, body);
                        status = 200;
                        answer = "{\"index\":1}";
                    }
                    break;
                case "GET":
                    Map<String, String> from = store.data;
                    if (staleRefreshNanos > 0) {
                        if (System.nanoTime() - staleCopiedAt > staleRefreshNanos) {
                            staleCopy = new HashMap<>(store.data);
                            staleCopiedAt = System.nanoTime();
                        }
                        from = staleCopy;
                    }
                    String v = from.get(key);
                    status = v == null ? 404 : 200;
                    answer = v == null ? "{\"error\":\"missing\"}" : v;
                    break;
                default:
                    store.data.remove(key);
                    status = 200;
                    answer = "{\"index\":2}";
            }
        }
        byte[] b = answer.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
