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
}
