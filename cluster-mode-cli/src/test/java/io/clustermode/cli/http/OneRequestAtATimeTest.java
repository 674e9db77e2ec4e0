package io.clustermode.cli.http;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OneRequestAtATimeTest {

    @Test
    void when_requests_are_pipelined_then_answers_leave_in_request_order_even_if_ready_out_of_order() {
        PipelineHarness server = new PipelineHarness(PipelineHarness.settings());
        server.immediate = null;
        server.in("GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(server.requests).extracting(ApiRequest::path).as("the second is held back").containsExactly("/first");
        assertThat(server.channel.config().isAutoRead()).as("reading stops while one is held").isFalse();

        server.pending.get(0).complete(ApiAnswer.json(201, Map.of("n", 1)));
        server.channel.runPendingTasks(); // the answer is written on the connection's event loop
        assertThat(server.requests).extracting(ApiRequest::path).containsExactly("/first", "/second");
        server.pending.get(1).complete(ApiAnswer.json(202, Map.of("n", 2)));
        server.channel.runPendingTasks();

        assertThat(PipelineHarness.statuses(server.out())).containsExactly(201, 202);
        assertThat(server.channel.config().isAutoRead()).isTrue();
        assertThat(server.events).containsExactly("GET 201", "GET 202");
    }
}
