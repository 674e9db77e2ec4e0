package io.clustermode.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Every HOST:PORT option is read by one parser, and a bad value is refused naming the option (exit 2). */
class HostPortOptionsTest {

    @Test
    void when_a_host_port_option_is_malformed_then_the_one_line_names_the_option_and_the_problem() {
        assertRefused("--bind must be host:port", "in brackets", "node", "--bind", "::1:7600");
        assertRefused("--advertise must be host:port", "port must be 1 to 65535", "node", "--bind", "127.0.0.1:7600",
                "--advertise", "127.0.0.1:0");
        assertRefused("--seeds must be host:port", "the port is missing", "node", "--bind", "127.0.0.1:7600",
                "--seeds", "127.0.0.1:7601,127.0.0.1");
        assertRefused("--http must be host:port", "'x' is not a number", "node", "--bind", "127.0.0.1:7600",
                "--http", "127.0.0.1:x");
        assertRefused("--http-advertise must be host:port", "the host is missing", "node", "--bind", "127.0.0.1:7600",
                "--http", "127.0.0.1:0", "--http-advertise", ":8600");
        assertRefused("server (--dns-server) must be host:port", "in brackets", "node", "--bind", "127.0.0.1:7600", "--discovery", "dns",
                "--dns-name", "nodes.example", "--dns-server", "fd00::1");
        assertRefused("--http must be host:port", "the port is missing", "status", "--http", "localhost");
    }

    @Test
    void when_the_primary_label_is_asked_for_without_kubernetes_discovery_then_the_line_names_the_option() {
        assertRefused("--k8s-label-primary needs --discovery kubernetes", "kubernetes", "node", "--bind",
                "127.0.0.1:7600", "--k8s-label-primary");
        assertRefused("--k8s-label-primary needs --discovery kubernetes", "kubernetes", "node", "--bind",
                "127.0.0.1:7600", "--discovery", "dns", "--dns-name", "nodes.example", "--k8s-label-primary");
    }

    private static void assertRefused(String start, String reason, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setErr(original);
        }
        String text = err.toString(StandardCharsets.UTF_8).strip();
        assertThat(code).as(text).isEqualTo(2);
        assertThat(text).as(String.join(" ", args)).startsWith("cluster-mode: " + start).contains(reason)
                .doesNotContain("\n");
    }
}
