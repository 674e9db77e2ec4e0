package io.clustermode.faults;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.LinearizabilityChecker;
import io.clustermode.linearizability.Operation;
import io.clustermode.linearizability.Outcome;
import io.clustermode.linearizability.Verdict;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's mapping of answers to outcomes, against a fake node that follows the HTTP contract. */
class KvClientTest {

    private HttpServer server;
    private final Map<String, String> store = new ConcurrentHashMap<>();
    /** null: behave; else a status to answer with, or "slow" / "reset". */
    private volatile String misbehave;
    private final History.Recorder recorder = new History.Recorder();
    private KvClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/kv/", this::handle);
        server.start();
        client = new KvClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofMillis(500), 7, recorder);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String key = URLDecoder.decode(ex.getRequestURI().getRawPath().substring("/kv/".length()), StandardCharsets.UTF_8);
        String query = ex.getRequestURI().getRawQuery();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if ("slow".equals(misbehave)) {
            sleep(2_000);
        }
        if ("reset".equals(misbehave)) {
            ex.close();
            return;
        }
        if (misbehave != null && !"slow".equals(misbehave)) {
            answer(ex, Integer.parseInt(misbehave), "{\"error\":\"injected\"}");
            return;
        }
        switch (ex.getRequestMethod()) {
            case "PUT":
                if (query != null && query.startsWith("expect=")) {
                    String expect = URLDecoder.decode(query.substring("expect=".length()), StandardCharsets.UTF_8);
                    if (!expect.equals(store.get(key))) {
                        answer(ex, 409, "{\"error\":\"mismatch\"}");
                        return;
                    }
                }
                store.put(key, body);
                answer(ex, 200, "{\"index\":1}");
                return;
            case "GET":
                String v = store.get(key);
                answer(ex, v == null ? 404 : 200, v == null ? "{\"error\":\"missing\"}" : v);
                return;
            default:
                store.remove(key);
                answer(ex, 200, "{\"index\":2}");
        }
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void answers_of_a_healthy_node_are_ok_or_failed_for_a_mismatch_and_the_history_checks() {
        assertThat(client.get("k 1").value()).isNull();
        assertThat(client.put("k 1", "a b&c").outcome()).isEqualTo(Outcome.OK);
        assertThat(client.get("k 1").value()).isEqualTo("a b&c");
        assertThat(client.cas("k 1", "a b&c", "d").outcome()).isEqualTo(Outcome.OK);
        assertThat(client.cas("k 1", "a b&c", "e").outcome()).isEqualTo(Outcome.FAILED);
        assertThat(client.delete("k 1").outcome()).isEqualTo(Outcome.OK);
        Operation last = client.get("k 1");
        assertThat(last.outcome()).isEqualTo(Outcome.OK);
        assertThat(last.value()).isNull();
        History h = recorder.history();
        assertThat(h.operations()).hasSize(7).allMatch(op -> op.client() == 7 && op.key().equals("k 1"));
        assertThat(new LinearizabilityChecker().check(h).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void a_503_is_failed_and_a_504_or_other_5xx_is_unknown() {
        misbehave = "503";
        assertThat(client.put("k", "a").outcome()).isEqualTo(Outcome.FAILED);
        assertThat(client.get("k").outcome()).isEqualTo(Outcome.FAILED);
        misbehave = "504";
        assertThat(client.put("k", "a").outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(client.cas("k", "a", "b").outcome()).isEqualTo(Outcome.UNKNOWN);
        misbehave = "500";
        assertThat(client.delete("k").outcome()).isEqualTo(Outcome.UNKNOWN);
        misbehave = "400";
        assertThat(client.put("k", "a").outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void a_timeout_or_a_reset_connection_is_unknown() {
        misbehave = "slow";
        Operation op = client.put("k", "a");
        assertThat(op.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(op.completeNanos() - op.invokeNanos()).isBetween(400_000_000L, 1_900_000_000L);
        misbehave = "reset";
        assertThat(client.put("k", "b").outcome()).isEqualTo(Outcome.UNKNOWN);
    }

    @Test
    void a_refused_connection_sent_nothing_so_it_is_failed() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        KvClient nowhere = new KvClient(URI.create("http://127.0.0.1:" + closedPort), Duration.ofMillis(500), 1, recorder);
        assertThat(nowhere.put("k", "a").outcome()).isEqualTo(Outcome.FAILED);
    }
}
