package io.clustermode.cli.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server on a real loopback socket, played against by a client that sends what an attacker
 * would: garbage, oversized bodies, slow headers, no token, too many connections. After each
 * attack the server must still answer others.
 */
class HttpServerAttackTest {

    private static final String TOKEN = "attack-test-token";
    private static final String AUTH = "Authorization: Bearer " + TOKEN;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private NettyHttpServer server;

    private InetSocketAddress start(HttpServerSettings settings) throws IOException {
        Routes routes = request -> CompletableFuture.completedFuture(
                ApiAnswer.json(200, Map.of("path", request.path(), "bytes", request.body().length)));
        server = NettyHttpServer.bind(new InetSocketAddress("127.0.0.1", 0), group, settings, routes,
                HttpServerEvents.NONE);
        return server.address();
    }

    private static HttpServerSettings settings() {
        return HttpServerSettings.defaults(1 << 20).withReadTimeout(Duration.ofSeconds(1))
                .withToken(BearerToken.of(TOKEN));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static void stillServes(InetSocketAddress at) throws IOException {
        try (RawHttp client = new RawHttp(at, 5000)) {
            assertThat(client.exchange("GET", "/health", null).status()).isEqualTo(200);
            assertThat(client.exchange("GET", "/kv/x", null, AUTH).status()).isEqualTo(200);
        }
    }

    @Test
    void garbage_bytes_get_json_400_and_the_server_keeps_serving() throws Exception {
        InetSocketAddress at = start(settings());
        try (RawHttp client = new RawHttp(at, 5000)) {
            client.send("\u0016\u0003\u0001 this is not HTTP \u00ff\u00fe\r\n\r\n");
            RawHttp.Answer answer = client.read();
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.headers().get("content-type")).startsWith("application/json");
            assertThat(answer.text()).startsWith("{\"error\":");
            assertThat(client.closedByServer()).isTrue();
        }
        try (RawHttp client = new RawHttp(at, 5000)) {
            RawHttp.Answer answer = client.exchange("BREW", "/kv/x", null, AUTH); // a method no route knows
            assertThat(answer.status()).isEqualTo(200); // the routes decide (the API answers 405)
        }
        stillServes(at);
    }

    @Test
    void a_2_mib_body_gets_413_whether_announced_or_chunked_and_the_server_keeps_serving() throws Exception {
        InetSocketAddress at = start(settings());
        byte[] twoMiB = new byte[2 << 20];
        try (RawHttp client = new RawHttp(at, 5000)) {
            client.send("PUT /kv/big HTTP/1.1\r\nHost: t\r\n" + AUTH + "\r\nContent-Length: " + twoMiB.length + "\r\n\r\n");
            RawHttp.Answer early = client.read(); // before a byte of the body was sent
            assertThat(early.status()).isEqualTo(413);
            assertThat(early.text()).contains("\"error\"");
            client.send(twoMiB); // dropped as it arrives; the connection stays usable
            assertThat(client.exchange("GET", "/kv/after", null, AUTH).status()).isEqualTo(200);
        }
        try (RawHttp client = new RawHttp(at, 5000)) {
            client.send("PUT /kv/big HTTP/1.1\r\nHost: t\r\n" + AUTH + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            byte[] chunk = new byte[64 * 1024];
            String size = Integer.toHexString(chunk.length) + "\r\n";
            for (int sent = 0; sent < twoMiB.length; sent += chunk.length) {
                client.send(size).send(chunk).send("\r\n");
            }
            client.send("0\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(413);
            assertThat(client.exchange("GET", "/kv/after", null, AUTH).status()).isEqualTo(200);
        }
        stillServes(at);
    }

    @Test
    void slow_headers_are_cut_off_after_the_read_timeout_with_408() throws Exception {
        InetSocketAddress at = start(settings());
        try (RawHttp client = new RawHttp(at, 10_000)) {
            long start = System.nanoTime();
            client.send("GET /kv/x HTTP/1.1\r\nHost: t\r\n");
            RawHttp.Answer answer = client.read();
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("slow headers: 408 after %d ms (read timeout 1000 ms)%n", millis);
            assertThat(answer.status()).isEqualTo(408);
            assertThat(millis).isGreaterThanOrEqualTo(900);
            assertThat(client.closedByServer()).isTrue();
        }
        stillServes(at);
    }

    @Test
    void a_missing_or_wrong_token_gets_401_and_the_right_one_passes() throws Exception {
        InetSocketAddress at = start(settings());
        try (RawHttp client = new RawHttp(at, 5000)) {
            RawHttp.Answer missing = client.exchange("PUT", "/kv/x", "v".getBytes(StandardCharsets.UTF_8));
            assertThat(missing.status()).isEqualTo(401);
            assertThat(missing.headers().get("www-authenticate")).isEqualTo("Bearer");
            assertThat(client.exchange("GET", "/kv/x", null, "Authorization: Bearer " + TOKEN + "x").status())
                    .isEqualTo(401);
            assertThat(client.exchange("GET", "/kv/x", null, "Authorization: Basic " + TOKEN).status()).isEqualTo(401);
            assertThat(client.exchange("GET", "/kv/x", null, AUTH).status()).isEqualTo(200);
            assertThat(client.exchange("GET", "/health", null).status()).isEqualTo(200);
        }
    }

    @Test
    void connections_beyond_the_cap_are_closed_at_once_and_a_place_frees_when_one_closes() throws Exception {
        InetSocketAddress at = start(settings().withMaxConnections(8));
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                Socket socket = new Socket();
                socket.connect(at);
                open.add(socket);
            }
            try (RawHttp ninth = new RawHttp(at, 5000)) {
                assertThat(ninth.closedByServer()).isTrue();
            }
            open.remove(0).close();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.openConnections() < 8);
            stillServes(at);
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    @Test
    void a_pipelining_client_gets_its_answers_in_order() throws Exception {
        InetSocketAddress at = start(settings());
        try (RawHttp client = new RawHttp(at, 5000)) {
            StringBuilder three = new StringBuilder();
            for (String key : List.of("a", "bb", "ccc")) {
                three.append("GET /kv/").append(key).append(" HTTP/1.1\r\nHost: t\r\n").append(AUTH).append("\r\n\r\n");
            }
            client.send(three.toString());
            for (String key : List.of("a", "bb", "ccc")) {
                assertThat(client.read().text()).contains("\"/kv/" + key + "\"");
            }
        }
    }

}
