package io.clustermode.cli.http;

import io.clustermode.transport.OncePerKey;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class SmallPartsTest {

    @Test
    void connection_limit_admits_up_to_its_cap_and_frees_a_place_when_one_closes() {
        ConnectionLimit limit = new ConnectionLimit(2);
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        assertThat(limit.admit(a)).isTrue();
        assertThat(limit.admit(b)).isTrue();
        assertThat(limit.admit(new EmbeddedChannel())).isFalse();
        assertThat(limit.open()).isEqualTo(2);
        a.close();
        assertThat(limit.open()).isEqualTo(1);
        assertThat(limit.admit(new EmbeddedChannel())).isTrue();
    }

    @Test
    void once_per_key_says_yes_once_per_interval_for_each_key() {
        AtomicLong now = new AtomicLong();
        OncePerKey once = new OncePerKey(Duration.ofMinutes(1), now::get);
        assertThat(once.shouldAct("10.0.0.1")).isTrue();
        assertThat(once.shouldAct("10.0.0.1")).isFalse();
        assertThat(once.shouldAct("10.0.0.2")).isTrue();
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(once.shouldAct("10.0.0.1")).isFalse();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(once.shouldAct("10.0.0.1")).isTrue();
    }

    @Test
    void head_requests_get_the_length_but_no_body() {
        PipelineHarness server = new PipelineHarness(PipelineHarness.settings());
        server.in("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        String out = server.out();
        assertThat(PipelineHarness.statuses(out)).containsExactly(200, 200);
        assertThat(out.split("\\{\"ok\":true}", -1)).hasSize(2); // one body, for the GET
    }

    @Test
    void http_1_0_without_keep_alive_is_answered_and_closed() {
        PipelineHarness server = new PipelineHarness(PipelineHarness.settings());
        server.in("GET /health HTTP/1.0\r\n\r\n");
        assertThat(server.out()).startsWith("HTTP/1.0 200");
        assertThat(server.channel.isOpen()).isFalse();
    }
}
