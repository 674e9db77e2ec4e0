package io.clustermode.cli;

import io.clustermode.cli.http.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real node process (one node, with a bearer token and a small --kv-max-bytes) played
 * against over real sockets: 256 slow clients must not keep /health from answering, 256
 * keep-alive clients writing at once must see no connection closed, the token is required,
 * a full store answers 507, and insecure or unusable options refuse to start. Timings are
 * printed, and asserted only with generous bounds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpHardeningIT {

    private static final String TOKEN = "it-token-" + System.nanoTime();
    private static final String AUTH = "Authorization: Bearer " + TOKEN;
    private static final long KV_MAX_BYTES = 4_000_000;

    private Path dir;
    private NodeProcesses nodes;
    private Path tokenFile;
    private InetSocketAddress http;

    @BeforeAll
    void startNode() throws Exception {
        dir = Files.createTempDirectory("cluster-mode-hardening-");
        nodes = new NodeProcesses(dir);
        tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        int transport = NodeProcesses.freePort();
        http = new InetSocketAddress("127.0.0.1", NodeProcesses.freePort());
        nodes.start("h1", List.of("node", "--node-id", "h1", "--bind", "127.0.0.1:" + transport,
                "--http", "127.0.0.1:" + http.getPort(), "--seeds", "127.0.0.1:" + transport, "--min-nodes", "1",
                "--http-token-file", tokenFile.toString(), "--kv-max-bytes", Long.toString(KV_MAX_BYTES)));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> health() == 200);
    }

    @AfterAll
    void stopNode() throws Exception {
        nodes.close();
    }

    private int health() throws IOException {
        try (RawHttp client = new RawHttp(http, 5000)) {
            return client.exchange("GET", "/health", null).status();
        }
    }

    @Test
    void health_answers_while_256_slow_clients_hold_connections() throws Exception {
        List<Socket> slow = new ArrayList<>();
        AtomicBoolean trickling = new AtomicBoolean(true);
        Thread trickler = null;
        try {
            for (int i = 0; i < 256; i++) {
                Socket socket = new Socket();
                socket.connect(http, 5000);
                slow.add(socket);
            }
            // Half send their headers a byte at a time, the other half send nothing at all.
            byte[] request = "GET /health HTTP/1.1\r\nHost: slow\r\nX-Padding: aaaaaaaaaaaaaaaaaaaa\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            trickler = new Thread(() -> {
                for (int b = 0; trickling.get(); b = (b + 1) % request.length) {
                    for (int i = 0; i < slow.size(); i += 2) {
                        try {
                            OutputStream out = slow.get(i).getOutputStream();
                            out.write(request[b]);
                            out.flush();
                        } catch (IOException cutOff) {
                            // the server may cut it off; it is still counted as having been there
                        }
                    }
                    sleep(100);
                }
            }, "trickler");
            trickler.start();
            Thread.sleep(500);

            List<Long> fresh = new ArrayList<>();
            List<Long> kept = new ArrayList<>();
            try (RawHttp keptAlive = new RawHttp(http, 5000)) {
                for (int i = 0; i < 40; i++) {
                    long start = System.nanoTime();
                    assertThat(health()).isEqualTo(200);
                    fresh.add(System.nanoTime() - start);
                    start = System.nanoTime();
                    assertThat(keptAlive.exchange("GET", "/health", null).status()).isEqualTo(200);
                    kept.add(System.nanoTime() - start);
                    Thread.sleep(50);
                }
            }
            int stillOpen = 0;
            for (Socket socket : slow) {
                stillOpen += socket.isClosed() ? 0 : 1;
            }
            System.out.printf("/health with 256 slow clients connected: new connection %s; kept-alive %s%n",
                    summary(fresh), summary(kept));
            assertThat(stillOpen).isEqualTo(256);
            assertThat(Collections.max(fresh)).as("slowest /health, ns").isLessThan(TimeUnit.SECONDS.toNanos(2));
            assertThat(Collections.max(kept)).as("slowest /health, ns").isLessThan(TimeUnit.SECONDS.toNanos(2));
        } finally {
            trickling.set(false);
            if (trickler != null) {
                trickler.join();
            }
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void keep_alive_holds_for_256_clients_writing_20000_values() throws Exception {
        int clients = 256;
        int total = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger ok = new AtomicInteger();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            int count = total / clients + (client < total % clients ? 1 : 0);
            done.add(pool.submit(() -> {
                try (RawHttp connection = new RawHttp(http, 30_000)) {
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < count; i++) {
                        RawHttp.Answer answer = connection.exchange("PUT", "/kv/load-" + client + "-" + i,
                                ("value " + i).getBytes(StandardCharsets.UTF_8), AUTH);
                        if (answer.status() == 200) {
                            ok.incrementAndGet();
                        } else {
                            errors.add(answer.status() + " " + answer.text());
                        }
                    }
                } catch (Exception e) {
                    errors.add(e.toString()); // e.g. "connection closed": the one one-connection-per-client failure
                }
                return null;
            }));
        }
        ready.await(60, TimeUnit.SECONDS);
        long start = System.nanoTime();
        go.countDown();
        for (java.util.concurrent.Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("keep-alive load: %d clients, %d PUTs in %.1f s = %.0f requests/s, %d errors%s%n", clients,
                ok.get(), seconds, ok.get() / seconds, errors.size(), errors.isEmpty() ? "" : ", first: " + errors.peek());
        assertThat(errors).isEmpty();
        assertThat(ok.get()).isEqualTo(total);
    }

    @Test
    void the_token_is_required_except_for_health_and_refusals_are_counted() throws Exception {
        try (RawHttp client = new RawHttp(http, 5000)) {
            RawHttp.Answer refused = client.exchange("GET", "/cluster/info", null);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.headers().get("www-authenticate")).isEqualTo("Bearer");
            assertThat(refused.text()).startsWith("{\"error\":");
            assertThat(client.exchange("GET", "/cluster/info", null, "Authorization: Bearer nope").status())
                    .isEqualTo(401);
            assertThat(client.exchange("GET", "/cluster/info", null, AUTH).status()).isEqualTo(200);
            String metrics = client.exchange("GET", "/metrics", null, AUTH).text();
            assertThat(metrics).containsPattern("cluster_mode_http_auth_refusals_total\\{reason=\"missing\"} [1-9]")
                    .containsPattern("cluster_mode_http_auth_refusals_total\\{reason=\"wrong\"} [1-9]");
        }
        assertThat(nodes.run("status-token", "status", "--http", "127.0.0.1:" + http.getPort(),
                "--http-token-file", tokenFile.toString())).isZero();
        assertThat(nodes.run("status-none", "status", "--http", "127.0.0.1:" + http.getPort())).isEqualTo(1);
        assertThat(nodes.stderr("h1")).doesNotContain(TOKEN);
    }

    @Test
    void a_full_store_answers_507_and_takes_writes_again_after_deletes() throws Exception {
        byte[] mib = new byte[1 << 20];
        List<String> written = new ArrayList<>();
        try (RawHttp client = new RawHttp(http, 30_000)) {
            RawHttp.Answer answer = null;
            for (int i = 0; i < 8; i++) {
                answer = client.exchange("PUT", "/kv/full-" + i, mib, AUTH);
                if (answer.status() != 200) {
                    break;
                }
                written.add("full-" + i);
            }
            assertThat(answer.status()).as(answer.text()).isEqualTo(507);
            assertThat(answer.text()).startsWith("{\"error\":").contains("--kv-max-bytes");
            assertThat(written).hasSizeBetween(2, 3); // 4,000,000 bytes hold three MiB, less what other tests wrote
            for (String key : written) {
                assertThat(client.exchange("DELETE", "/kv/" + key, null, AUTH).status()).isEqualTo(200);
            }
            assertThat(client.exchange("PUT", "/kv/full-again", mib, AUTH).status()).isEqualTo(200);
            assertThat(client.exchange("DELETE", "/kv/full-again", null, AUTH).status()).isEqualTo(200);
        }
    }

    @Test
    void insecure_or_unusable_http_options_refuse_to_start_with_one_line() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty-token"), "\n");
        String bind = "127.0.0.1:" + NodeProcesses.freePort();
        String[][] cases = {
            // Nothing is bound before these are refused.
            {"node", "--bind", bind, "--http", "0.0.0.0:" + NodeProcesses.freePort()},
            {"node", "--bind", bind, "--http", "127.0.0.1:" + NodeProcesses.freePort(), "--http-token-file",
                empty.toString()},
            {"node", "--bind", bind, "--http", "127.0.0.1:" + NodeProcesses.freePort(), "--http-token-file",
                dir.resolve("missing").toString()},
            {"node", "--bind", bind, "--http", "127.0.0.1:" + NodeProcesses.freePort(), "--kv-max-bytes", "0"},
            {"node", "--bind", bind, "--http", "127.0.0.1:" + NodeProcesses.freePort(), "--http-tls-cert",
                empty.toString()},
        };
        String[] named = {"--http-token-file", "--http-token-file", "--http-token-file", "--kv-max-bytes",
            "--http-tls-key"};
        for (int i = 0; i < cases.length; i++) {
            String name = "refused-" + i;
            assertThat(nodes.run(name, cases[i])).as(String.join(" ", cases[i])).isEqualTo(2);
            String err = nodes.stderr(name).strip();
            assertThat(err.lines().count()).as(err).isEqualTo(1);
            assertThat(err).startsWith("cluster-mode: ").contains(named[i]);
        }
        assertThat(nodes.stderr("refused-0")).contains("--http-insecure");
    }

    private static String summary(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("min %.1f / p50 %.1f / p90 %.1f / max %.1f ms (%d requests)", sorted.get(0) / 1e6,
                sorted.get(sorted.size() / 2) / 1e6, sorted.get(sorted.size() * 9 / 10) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6, sorted.size());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
