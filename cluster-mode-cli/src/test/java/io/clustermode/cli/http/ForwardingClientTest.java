package io.clustermode.cli.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The forwarding client against a real server on loopback: source address, reuse, TLS trust, outcomes. */
class ForwardingClientTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private NettyHttpServer server;
    private ForwardingClient client;

    /** Routes that say who asked: the client's address and port. */
    private String start(HttpServerSettings settings) throws IOException {
        Routes whoAsked = request -> CompletableFuture.completedFuture(ApiAnswer.text(200, "text/plain",
                request.remote().toString() + " " + request.method() + " " + request.pathAndQuery() + " "
                        + new String(request.body(), StandardCharsets.UTF_8) + " " + request.header("X-Test")));
        server = NettyHttpServer.bind(new InetSocketAddress("127.0.0.1", 0), group, settings, whoAsked,
                HttpServerEvents.NONE);
        return "127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private ForwardingClient.Outcome send(String to, String body) throws Exception {
        return client.send(to, "PUT", "/kv/a?x=1", Map.of("X-Test", "yes"), body.getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void requests_leave_from_the_given_address_and_reuse_one_kept_alive_connection() throws Exception {
        String to = start(HttpServerSettings.defaults(1024));
        client = new ForwardingClient(group, InetAddress.getByName("127.0.0.2"), null, 4, Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(5));
        ForwardingClient.Outcome first = send(to, "v1");
        ForwardingClient.Outcome second = send(to, "v2");
        assertThat(first).isInstanceOf(ForwardingClient.Outcome.Answered.class);
        String one = new String(((ForwardingClient.Outcome.Answered) first).body(), StandardCharsets.UTF_8);
        String two = new String(((ForwardingClient.Outcome.Answered) second).body(), StandardCharsets.UTF_8);
        assertThat(one).startsWith("/127.0.0.2:").endsWith(" PUT /kv/a?x=1 v1 yes");
        assertThat(two.split(" ")[0]).as("the same connection, kept alive").isEqualTo(one.split(" ")[0]);
    }

    @Test
    void a_connection_that_cannot_be_made_is_not_sent_and_a_server_that_never_answers_is_no_answer()
            throws Exception {
        client = new ForwardingClient(group, null, null, 4, Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(5));
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        assertThat(send("127.0.0.1:" + closedPort, "x")).isInstanceOf(ForwardingClient.Outcome.NotSent.class);
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ForwardingClient.Outcome outcome = client.send("127.0.0.1:" + silent.getLocalPort(), "GET", "/", Map.of(),
                    new byte[0], Duration.ofMillis(300)).get(10, TimeUnit.SECONDS);
            assertThat(outcome).isInstanceOf(ForwardingClient.Outcome.NoAnswer.class);
        }
    }

    @Test
    void over_tls_the_client_trusts_the_chain_of_its_own_certificate_file_and_no_other(@TempDir Path dir)
            throws Exception {
        TestCertificates pki = TestCertificates.create(dir, "node");
        HttpTls tls = HttpTls.fromPem(pki.certificate, pki.key);
        String to = start(HttpServerSettings.defaults(1024).withTls(tls.server()));
        client = new ForwardingClient(group, null, tls.client(), 4, Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(5));
        assertThat(send(to, "secret")).isInstanceOf(ForwardingClient.Outcome.Answered.class);
        client.close();

        TestCertificates stranger = TestCertificates.create(dir, "stranger");
        client = new ForwardingClient(group, null, HttpTls.fromPem(stranger.certificate, stranger.key).client(), 4,
                Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(send(to, "secret")).isNotInstanceOf(ForwardingClient.Outcome.Answered.class);
    }
}
