package io.clustermode.cli;

import io.clustermode.cli.http.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three node processes serving HTTPS with a bearer token: a write through a secondary is
 * forwarded to the primary over TLS, carrying the token, and served there.
 */
class SecureClusterIT {

    @TempDir
    Path dir;

    private NodeProcesses nodes;

    @AfterEach
    void stop() throws InterruptedException {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void a_secondary_hands_writes_to_the_primary_and_forwards_a_transfer_over_https_with_the_token() throws Exception {
        nodes = new NodeProcesses(dir);
        TestCertificates pki = TestCertificates.create(dir, "cluster");
        Path token = Files.writeString(dir.resolve("token"), "secure-cluster-token\n");
        List<String> seeds = new ArrayList<>();
        List<String> https = new ArrayList<>();
        List<Integer> transports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            transports.add(NodeProcesses.freePort());
            seeds.add("127.0.0.1:" + transports.get(i));
            https.add("127.0.0.1:" + NodeProcesses.freePort());
        }
        for (int i = 0; i < 3; i++) {
            nodes.start("s" + i, List.of("node", "--node-id", "s" + i, "--bind", seeds.get(i), "--http", https.get(i),
                    "--seeds", String.join(",", seeds), "--heartbeat-interval", "50", "--election-timeout", "400",
                    "--update-interval", "200", "--http-token-file", token.toString(),
                    "--http-tls-cert", pki.certificate.toString(), "--http-tls-key", pki.key.toString()));
        }
        HttpClient client = HttpClient.newBuilder().sslContext(pki.clientContext())
                .connectTimeout(Duration.ofSeconds(2)).build();
        ClusterInfo[] info = new ClusterInfo[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            HttpResponse<String> response = client.send(request(https.get(0), "/cluster/info").build(),
                    HttpResponse.BodyHandlers.ofString());
            info[0] = ClusterInfo.read(response.body());
            return info[0].leaderHttp() != null && info[0].members().size() == 3;
        });
        String primary = info[0].leaderId();
        String secondary = https.get(primary.equals("s0") ? 1 : 0);

        HttpResponse<String> written = client.send(request(secondary, "/kv/secret")
                .PUT(HttpRequest.BodyPublishers.ofString("over tls")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        // The secondary handed the write to the primary over the authenticated Raft connection
        // and answered once it had applied it itself.
        assertThat(written.headers().firstValue(HttpApi.SERVED_BY)).hasValue(primary.equals("s0") ? "s1" : "s0");
        HttpResponse<String> read = client.send(request(secondary, "/kv/secret").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(read.body()).isEqualTo("over tls");
        String primaryHttp = https.get(Integer.parseInt(primary.substring(1)));
        HttpResponse<String> atPrimary = client.send(request(primaryHttp, "/kv/secret").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(atPrimary.body()).isEqualTo("over tls");

        // A transfer must run on the primary: the secondary forwards it over HTTPS with the token.
        HttpResponse<String> transfer = client.send(request(secondary, HttpApi.TRANSFER_PATH)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(200);
        assertThat(transfer.headers().firstValue(HttpApi.SERVED_BY)).hasValue(primary);

        HttpResponse<String> noToken = client.send(HttpRequest.newBuilder(URI.create("https://" + secondary
                + "/kv/secret")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("https://" + secondary
                + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    private static HttpRequest.Builder request(String http, String path) {
        return HttpRequest.newBuilder(URI.create("https://" + http + path)).timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer secure-cluster-token");
    }
}
