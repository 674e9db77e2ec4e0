package io.clustermode.cli.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MalformedRequestsTest {

    private final PipelineHarness server = new PipelineHarness(PipelineHarness.settings());

    @Test
    void when_garbage_arrives_then_the_answer_is_json_400_and_the_connection_closes() {
        server.in("this is not HTTP at all\r\n\r\n");
        String out = server.out();
        assertThat(PipelineHarness.statuses(out)).containsExactly(400);
        assertThat(out).contains("content-type: application/json", "{\"error\":\"malformed HTTP request");
        assertThat(server.channel.isOpen()).isFalse();
        assertThat(server.requests).isEmpty();
    }

    @Test
    void when_the_headers_are_too_large_then_431() {
        server.in("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(431);
        assertThat(server.channel.isOpen()).isFalse();
    }

    @Test
    void when_the_request_line_is_too_long_then_414() {
        server.in("GET /kv/" + "k".repeat(9_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(414);
    }

    @Test
    void when_a_chunk_is_broken_then_400() {
        server.in("PUT /kv/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(400);
        assertThat(server.requests).isEmpty();
    }

    @Test
    void when_the_uri_is_not_a_path_then_400_as_json() {
        server.in("GET * HTTP/1.1\r\nHost: x\r\n\r\n");
        String out = server.out();
        assertThat(PipelineHarness.statuses(out)).containsExactly(400);
        assertThat(out).contains("{\"error\":");
    }
}
