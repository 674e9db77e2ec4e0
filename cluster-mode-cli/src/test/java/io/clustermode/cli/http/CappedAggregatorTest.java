package io.clustermode.cli.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CappedAggregatorTest {

    private final PipelineHarness server = new PipelineHarness(PipelineHarness.settings()); // bodies up to 1024

    @Test
    void when_content_length_is_over_the_cap_then_413_at_once_the_body_is_dropped_and_keep_alive_holds() {
        server.in("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
        String early = server.out();
        assertThat(PipelineHarness.statuses(early)).as("answered before the body").containsExactly(413);
        assertThat(early).contains("{\"error\":\"the body is larger than 1024 bytes\"}");
        server.in(new byte[5000]);
        server.in("GET /kv/a HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(200);
        assertThat(server.requests).extracting(ApiRequest::method).containsExactly("GET");
    }

    @Test
    void when_a_chunked_body_grows_over_the_cap_then_413_and_the_rest_is_dropped() {
        server.in("PUT /kv/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 5; i++) {
            server.in("200\r\n" + "x".repeat(512) + "\r\n");
        }
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(413);
        server.in("0\r\n\r\nGET /kv/b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(200);
        assertThat(server.requests).extracting(ApiRequest::path).containsExactly("/kv/b");
    }

    @Test
    void when_a_client_expects_100_continue_for_a_body_over_the_cap_then_413_json() {
        server.in("PUT /kv/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
        String out = server.out();
        assertThat(PipelineHarness.statuses(out)).containsExactly(413);
        assertThat(out).contains("{\"error\":");
    }

    @Test
    void when_requests_without_a_body_arrive_between_requests_with_one_then_each_reaches_the_routes_whole() {
        // GETs skip the aggregation; the bodies around them must still be aggregated and the
        // headers of each request must be its own.
        server.in("GET /kv/a?consistency=stale HTTP/1.1\r\nHost: x\r\nX-One: 1\r\n\r\n");
        server.in("PUT /kv/b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        server.in("DELETE /kv/c HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        server.in("PUT /kv/d HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        server.in("HEAD /kv/e HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(200, 200, 200, 200, 200);
        assertThat(server.requests).extracting(ApiRequest::method).containsExactly("GET", "PUT", "DELETE", "PUT", "HEAD");
        assertThat(server.requests).extracting(r -> new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
                .containsExactly("", "hello", "", "abc", "");
        assertThat(server.requests.get(0).query()).isEqualTo("consistency=stale");
        assertThat(server.requests.get(0).header("X-One")).isEqualTo("1");
        assertThat(server.requests.get(1).header("X-One")).isNull();
    }
}
