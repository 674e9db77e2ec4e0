package io.clustermode.cli.web;

import io.clustermode.cli.http.ApiAnswer;
import io.clustermode.cli.http.BearerToken;
import io.clustermode.cli.http.HttpServerEvents;
import io.clustermode.cli.http.HttpServerSettings;
import io.clustermode.cli.http.Json;
import io.clustermode.cli.http.NettyHttpServer;
import io.clustermode.cli.http.Routes;
import io.clustermode.cli.http.SseClient;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /cluster/events} at the HTTP level, over real sockets through the API's own Netty
 * pipeline: what a new client gets, what a client resuming with {@code Last-Event-ID} gets, that
 * a stream outlives the read timeout, that the token is asked for (also as {@code ?access_token=},
 * and only on this path), and that neither many clients nor a client that does not read can
 * make the server hold more than its bounds.
 */
class EventStreamTest {

    private static final String TOKEN = "stream-test-token";
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private NettyHttpServer server;
    private EventHub hub;

    /** A server whose /cluster/events is {@code hub}; everything else answers 200 with its path. */
    private URI start(int kept, int maxStreams, Duration heartbeat, Duration readTimeout, String token)
            throws Exception {
        hub = new EventHub(kept, maxStreams, heartbeat, group);
        Routes routes = request -> CompletableFuture.completedFuture(request.path().equals("/cluster/events")
                ? hub.subscribe(request.header("Last-Event-ID"), () -> Map.of("nodeId", "n1"), Map.of())
                : ApiAnswer.json(200, Map.of("path", request.path())));
        HttpServerSettings settings = HttpServerSettings.defaults(1 << 20).withReadTimeout(readTimeout)
                .withToken(token == null ? null : BearerToken.of(token));
        server = NettyHttpServer.bind(new InetSocketAddress("127.0.0.1", 0), group, settings, routes,
                HttpServerEvents.NONE);
        return URI.create("http://127.0.0.1:" + server.address().getPort());
    }

    private URI start() throws Exception {
        return start(100, 16, Duration.ofSeconds(15), Duration.ofSeconds(10), null);
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(SseClient.Event event) {
        return Json.read(event.data(), Map.class);
    }

    @Test
    void a_new_client_gets_the_status_with_recent_events_then_each_event_as_it_happens() throws Exception {
        URI base = start();
        hub.publish("primary", Map.of("primary", "n1", "term", 2));
        hub.publish("membership", Map.of("joined", List.of("n4")));
        try (SseClient stream = SseClient.open(client, base.resolve("/cluster/events"))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
            assertThat(stream.header("Cache-Control")).isEqualTo("no-cache");
            SseClient.Event status = stream.next(WAIT);
            assertThat(status.type()).isEqualTo("status");
            assertThat(status.id()).endsWith("-2"); // a resumption starts after what it holds
            Map<String, Object> document = json(status);
            assertThat(document.get("state")).isEqualTo(Map.of("nodeId", "n1"));
            assertThat((List<Map<String, Object>>) document.get("recent")).extracting(e -> e.get("type"))
                    .containsExactly("primary", "membership");

            hub.publish("primary", Map.of("primary", "n2", "term", 3));
            SseClient.Event live = stream.next(WAIT);
            assertThat(live.type()).isEqualTo("primary");
            assertThat(live.id()).endsWith("-3");
            assertThat(json(live)).containsEntry("primary", "n2");

            hub.publishTransient("progress", Map.of("lastIndex", 7));
            SseClient.Event progress = stream.next(WAIT);
            assertThat(progress.type()).isEqualTo("progress");
            assertThat(progress.id()).as("progress is not kept, so it has no id").isNull();
        }
    }

    @Test
    void a_client_resuming_with_last_event_id_gets_exactly_what_it_missed_else_a_fresh_status() throws Exception {
        URI base = start(3, 16, Duration.ofSeconds(15), Duration.ofSeconds(10), null);
        URI events = base.resolve("/cluster/events");
        String seen;
        try (SseClient stream = SseClient.open(client, events)) {
            stream.next(WAIT); // status, no events yet
            hub.publish("term", Map.of("term", 1));
            seen = stream.next(WAIT).id();
        }
        hub.publish("term", Map.of("term", 2));
        hub.publish("term", Map.of("term", 3));
        try (SseClient resumed = SseClient.open(client, events, "Last-Event-ID", seen)) {
            assertThat(json(resumed.next(WAIT))).containsEntry("term", 2);
            assertThat(json(resumed.next(WAIT))).containsEntry("term", 3);
            hub.publish("term", Map.of("term", 4));
            SseClient.Event live = resumed.next(WAIT);
            assertThat(json(live)).containsEntry("term", 4);
            seen = live.id();
        }
        // Caught up: nothing is replayed, the next live event follows.
        try (SseClient resumed = SseClient.open(client, events, "Last-Event-ID", seen)) {
            hub.publish("term", Map.of("term", 5));
            assertThat(json(resumed.next(WAIT))).containsEntry("term", 5);
        }
        String epoch = seen.substring(0, seen.indexOf('-'));
        // Fallen out of the ring (3 kept), another node's or process's id, or garbage: a fresh status.
        for (String stale : List.of(epoch + "-1", "zz-4", epoch + "-99", "garbage")) {
            try (SseClient fresh = SseClient.open(client, events, "Last-Event-ID", stale)) {
                SseClient.Event first = fresh.next(WAIT);
                assertThat(first.type()).as(stale).isEqualTo("status");
                assertThat((List<?>) json(first).get("recent")).as(stale).hasSize(3);
            }
        }
    }

    @Test
    void a_quiet_stream_outlives_the_read_timeout_with_heartbeat_comments() throws Exception {
        URI base = start(100, 16, Duration.ofMillis(100), Duration.ofMillis(300), null);
        try (SseClient stream = SseClient.open(client, base.resolve("/cluster/events"))) {
            stream.next(WAIT);
            await().atMost(WAIT).until(() -> stream.comments() >= 10); // a second, three read timeouts
            assertThat(stream.ended(Duration.ZERO)).isFalse();
            hub.publish("role", Map.of("role", "PRIMARY"));
            assertThat(stream.next("role", WAIT)).isNotNull();
        }
    }

    @Test
    void the_token_is_asked_for_and_taken_from_the_query_on_this_path_only() throws Exception {
        URI base = start(100, 16, Duration.ofSeconds(15), Duration.ofSeconds(10), TOKEN);
        try (SseClient none = SseClient.open(client, base.resolve("/cluster/events"))) {
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
            assertThat(none.body(WAIT)).startsWith("{\"error\":");
        }
        try (SseClient wrong = SseClient.open(client, base.resolve("/cluster/events?access_token=nope"))) {
            assertThat(wrong.status()).isEqualTo(401);
        }
        try (SseClient header = SseClient.open(client, base.resolve("/cluster/events"),
                "Authorization", "Bearer " + TOKEN)) {
            assertThat(header.status()).isEqualTo(200);
            assertThat(header.next(WAIT).type()).isEqualTo("status");
        }
        try (SseClient query = SseClient.open(client, base.resolve("/cluster/events?access_token=" + TOKEN))) {
            assertThat(query.status()).isEqualTo(200);
            assertThat(query.next(WAIT).type()).isEqualTo("status");
        }
        // Elsewhere a token in the URL is not taken (it would end up in logs and histories).
        try (SseClient elsewhere = SseClient.open(client, base.resolve("/kv/x?access_token=" + TOKEN))) {
            assertThat(elsewhere.status()).isEqualTo(401);
        }
    }

    @Test
    void streams_beyond_the_cap_get_json_503_and_a_place_frees_when_one_closes() throws Exception {
        URI base = start(100, 2, Duration.ofSeconds(15), Duration.ofSeconds(10), null);
        URI events = base.resolve("/cluster/events");
        SseClient first = SseClient.open(client, events);
        try (SseClient second = SseClient.open(client, events)) {
            assertThat(first.next(WAIT).type()).isEqualTo("status");
            assertThat(second.next(WAIT).type()).isEqualTo("status");
            try (SseClient third = SseClient.open(client, events)) {
                assertThat(third.status()).isEqualTo(503);
                assertThat(third.body(WAIT)).startsWith("{\"error\":\"2 event streams are open");
            }
            first.close();
            await().atMost(WAIT).until(() -> hub.streams() == 1);
            try (SseClient again = SseClient.open(client, events)) {
                assertThat(again.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void a_client_that_does_not_read_is_closed_instead_of_buffered() throws Exception {
        URI base = start();
        String big = "x".repeat(60_000);
        try (Socket sleeper = new Socket()) {
            sleeper.setReceiveBufferSize(4096);
            sleeper.connect(new InetSocketAddress("127.0.0.1", base.getPort()), 5000);
            OutputStream out = sleeper.getOutputStream();
            out.write("GET /cluster/events HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            await().atMost(WAIT).until(() -> hub.streams() == 1);
            try (SseClient reader = SseClient.open(client, base.resolve("/cluster/events"))) {
                reader.next(WAIT);
                // Far more than socket buffers hold: the sleeper's connection fills and is closed,
                // while the client that reads gets every event.
                for (int i = 0; i < 400 && hub.streams() > 1; i++) {
                    hub.publish("big", Map.of("n", i, "pad", big));
                    assertThat(reader.next("big", WAIT)).as("event %d to the reading client", i).isNotNull();
                }
                assertThat(hub.streams()).as("the client that does not read was closed").isEqualTo(1);
            }
            InputStream in = sleeper.getInputStream();
            sleeper.setSoTimeout(5000);
            // It gets what was sent before the cut, then the end of the stream.
            assertThat(in.readAllBytes().length).isGreaterThan(0);
        }
    }
}
