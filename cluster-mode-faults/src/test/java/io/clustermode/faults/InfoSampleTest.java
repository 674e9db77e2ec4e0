package io.clustermode.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.clustermode.cli.ClusterInfo;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InfoSampleTest {

    /** The contract's shape, members listed before the node's own fields to show nesting is not confused with them. */
    static final String INFO = "{\"members\":[{\"nodeId\":\"n2\",\"address\":\"127.0.0.3:7600\",\"voter\":true,\"role\":\"PRIMARY\"}],"
            + " \"nodeId\": \"n1\", \"clusterName\":\"c \\\"q\\\" \\u00e9\", \"role\":\"SECONDARY\", \"term\": 12,"
            + " \"leaderId\": null, \"commitIndex\": 40, \"appliedIndex\": 39, \"ratio\": -1.5e3}";

    @Test
    void a_sample_is_read_from_the_top_level_fields_of_cluster_info() {
        InfoSample s = InfoSample.of(ClusterInfo.read(INFO), 99);
        assertThat(s).isEqualTo(new InfoSample("n1", "SECONDARY", 12, 99));
        assertThat(s.isPrimary()).isFalse();
        assertThat(ClusterInfo.read(INFO).clusterName()).isEqualTo("c \"q\" é");
        assertThat(ClusterInfo.read(INFO).leaderId()).isNull();
    }

    @Test
    void malformed_or_incomplete_answers_are_refused() {
        assertThatThrownBy(() -> ClusterInfo.read("{\"nodeId\":\"n1\"")).hasMessageContaining("JSON");
        assertThatThrownBy(() -> ClusterInfo.read("{\"nodeId\":\"n1\",\"role\":\"PRIMARY\"}"))
                .hasMessageContaining("term");
        assertThatThrownBy(() -> ClusterInfo.read("[]")).hasMessageContaining("not a JSON ClusterInfo");
    }

    @Test
    void the_poller_samples_every_answering_node_and_counts_the_others() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cluster/info", ex -> {
            byte[] b = INFO.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        URI up = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort(); // free again once closed: nobody answers there
        }
        URI down = URI.create("http://127.0.0.1:" + closedPort);
        try (InfoPoller poller = new InfoPoller(List.of(up, down), Duration.ofMillis(20), Duration.ofMillis(200))) {
            long until = System.nanoTime() + 3_000_000_000L;
            while ((poller.samples().size() < 3 || poller.failures() < 3) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(poller.samples()).hasSizeGreaterThanOrEqualTo(3).allMatch(s -> s.nodeId().equals("n1"));
            assertThat(poller.failures()).isGreaterThanOrEqualTo(3);
        } finally {
            server.stop(0);
        }
    }
}
