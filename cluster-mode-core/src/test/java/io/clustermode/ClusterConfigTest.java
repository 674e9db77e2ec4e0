package io.clustermode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Secure by default: a node others can reach must authenticate them, or be told not to. */
class ClusterConfigTest {

    @TempDir
    Path dir;

    @Test
    void when_bound_beyond_loopback_without_authentication_then_the_configuration_is_refused_naming_the_ways_out() {
        for (String bind : new String[]{"0.0.0.0:7600", "10.0.0.1:7600", "[::]:7600", "node-1.example:7600"}) {
            assertThatThrownBy(() -> ClusterConfig.builder().bind(bind).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bind " + bind)
                    .hasMessageContaining("clusterSecretFile").hasMessageContaining("tlsCa")
                    .hasMessageContaining("insecure");
        }
    }

    @Test
    void when_bound_to_loopback_or_authenticated_or_told_insecure_then_it_builds() throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "0123456789abcdef0123\n");
        for (String loopback : new String[]{"127.0.0.1:7600", "127.0.0.9:0", "localhost:7600", "[::1]:7600"}) {
            assertThat(ClusterConfig.builder().bind(loopback).build()).isNotNull();
        }
        assertThat(ClusterConfig.builder().bind("0.0.0.0:7600").clusterSecretFile(secret).build()).isNotNull();
        assertThat(ClusterConfig.builder().bind("0.0.0.0:7600").tls(secret, secret, secret).build()).isNotNull();
        assertThat(ClusterConfig.builder().bind("0.0.0.0:7600").insecure(true).build()).isNotNull();
    }

    @Test
    void when_the_secret_file_cannot_be_read_then_the_message_names_it() {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> ClusterConfig.builder().bind("127.0.0.1:7600").clusterSecretFile(missing).build())
                .hasMessageContaining("clusterSecretFile " + missing);
    }
}
