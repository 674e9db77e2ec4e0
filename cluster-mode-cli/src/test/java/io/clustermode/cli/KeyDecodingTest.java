package io.clustermode.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key of {@code /kv/{key}} as the API decodes it: plain keys as they are, escapes strictly. */
class KeyDecodingTest {

    @Test
    void when_a_key_has_no_escape_then_it_is_the_key_as_sent() throws Exception {
        assertThat(HttpApi.decodePathSegment("key-0-15")).isEqualTo("key-0-15");
        assertThat(HttpApi.decodePathSegment("a+b")).as("a plus sign stays one").isEqualTo("a+b");
    }

    @Test
    void when_a_key_has_escapes_then_they_are_decoded_as_utf_8() throws Exception {
        assertThat(HttpApi.decodePathSegment("a%20b")).isEqualTo("a b");
        assertThat(HttpApi.decodePathSegment("%E2%82%AC")).isEqualTo("\u20ac");
    }

    @Test
    void when_a_key_is_badly_escaped_or_not_utf_8_or_not_encoded_then_it_is_refused() {
        assertThatThrownBy(() -> HttpApi.decodePathSegment("a%2")).hasMessageContaining("percent-escape");
        assertThatThrownBy(() -> HttpApi.decodePathSegment("a%zz")).hasMessageContaining("percent-escape");
        assertThatThrownBy(() -> HttpApi.decodePathSegment("%FF")).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> HttpApi.decodePathSegment("\u20ac")).hasMessageContaining("percent-encoded");
    }
}
