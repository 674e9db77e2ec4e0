package io.clustermode.cli.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RequestReadTimeoutTest {

    private final PipelineHarness server = new PipelineHarness(PipelineHarness.settings());

    @Test
    void when_a_new_connection_sends_nothing_then_it_gets_408_at_the_timeout_and_is_closed() {
        server.advance(Duration.ofMillis(9_900));
        assertThat(server.channel.isOpen()).isTrue();
        server.advance(Duration.ofMillis(200));
        String out = server.out();
        assertThat(PipelineHarness.statuses(out)).containsExactly(408);
        assertThat(out).contains("{\"error\":\"the request did not arrive within 10000 ms\"}", "connection: close");
        assertThat(server.channel.isOpen()).isFalse();
        assertThat(server.events).containsExactly("read timeout", "OTHER 408");
    }

    @Test
    void when_headers_trickle_in_then_trickling_does_not_extend_the_timeout() {
        for (int i = 0; i < 9; i++) {
            server.in("G".repeat(1)); // one byte a second
            server.advance(Duration.ofSeconds(1));
        }
        assertThat(server.channel.isOpen()).isTrue();
        server.in("E");
        server.advance(Duration.ofMillis(1_100));
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(408);
        assertThat(server.channel.isOpen()).isFalse();
    }

    @Test
    void when_the_body_is_slow_then_it_gets_the_timeout_from_its_headers_and_then_408() {
        server.advance(Duration.ofSeconds(9));
        server.in("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
        server.advance(Duration.ofSeconds(9));
        assertThat(server.channel.isOpen()).as("the body has its own 10 s").isTrue();
        server.advance(Duration.ofSeconds(2));
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(408);
        assertThat(server.requests).isEmpty();
        assertThat(server.events).contains("PUT 408");
    }

    @Test
    void when_an_answer_takes_long_then_the_read_timeout_does_not_cut_it_off() {
        server.immediate = null;
        server.in("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        server.advance(Duration.ofSeconds(30));
        assertThat(server.channel.isOpen()).isTrue();
        server.pending.get(0).complete(ApiAnswer.json(200, java.util.Map.of("done", true)));
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(200);
    }

    @Test
    void when_a_kept_alive_connection_stays_idle_then_it_is_closed_without_an_answer() {
        server.in("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(200);
        server.advance(Duration.ofSeconds(9));
        server.in("GET /b HTTP/1.1\r\nHost: x\r\n\r\n"); // the clock starts again after each answer
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(200);
        server.advance(Duration.ofSeconds(11));
        assertThat(server.out()).isEmpty();
        assertThat(server.channel.isOpen()).isFalse();
    }

    @Test
    void when_a_kept_alive_connection_starts_a_request_and_stalls_then_it_gets_408() {
        server.in("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        server.out();
        server.in("GET /b HTTP/1.1\r\nHo");
        server.advance(Duration.ofSeconds(11));
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(408);
    }
}
