package io.clustermode.cli.http;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BearerTokenAuthTest {

    private final PipelineHarness server = new PipelineHarness(PipelineHarness.settings()
            .withToken(BearerToken.of("s3cret-token")));

    @Test
    void when_the_token_is_missing_then_401_with_www_authenticate_and_nothing_reaches_the_routes() {
        server.in("GET /cluster/info HTTP/1.1\r\nHost: x\r\n\r\n");
        String out = server.out();
        assertThat(PipelineHarness.statuses(out)).containsExactly(401);
        assertThat(out.toLowerCase(java.util.Locale.ROOT)).contains("www-authenticate: bearer");
        assertThat(out).contains("{\"error\":\"this API needs a bearer token");
        assertThat(server.requests).isEmpty();
        assertThat(server.events).containsExactly("auth missing", "GET 401");
        assertThat(server.channel.isOpen()).as("the connection stays usable").isTrue();
    }

    @Test
    void when_the_token_is_wrong_then_401_and_the_refused_body_is_dropped_not_served() {
        server.in("PUT /kv/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-tokem\r\nContent-Length: 5\r\n\r\n");
        server.in("hello");
        server.in("GET /kv/a HTTP/1.1\r\nHost: x\r\nAuthorization: bearer s3cret-token\r\n\r\n");
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(401, 200);
        assertThat(server.requests).extracting(ApiRequest::method).containsExactly("GET");
        assertThat(server.events).contains("auth wrong");
    }

    @Test
    void when_asking_for_health_or_the_ui_then_no_token_is_needed_but_other_methods_need_one() {
        server.in("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        server.in("GET /ui/app.js HTTP/1.1\r\nHost: x\r\n\r\n");
        server.in("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        server.in("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(PipelineHarness.statuses(server.out())).containsExactly(200, 200, 401, 401);
    }

    @Test
    void the_token_file_is_read_once_without_its_line_break_and_bad_files_are_refused(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "abc.DEF-123\r\n");
        BearerToken token = BearerToken.readFrom(file);
        assertThat(token.matches("Bearer abc.DEF-123")).isTrue();
        assertThat(token.matches("Bearer abc.DEF-12")).isFalse();
        assertThat(token.matches("Basic abc.DEF-123")).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(token.toString()).doesNotContain("abc");
        assertThatThrownBy(() -> BearerToken.readFrom(Files.writeString(dir.resolve("empty"), "\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> BearerToken.readFrom(Files.writeString(dir.resolve("two"), "a\nb\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("a\nb");
    }
}
