package io.clustermode.transport;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPortTest {

    @Test
    void when_ipv4_a_name_or_bracketed_ipv6_is_given_then_host_and_port_are_read_and_printed_back_alike() {
        assertThat(HostPort.parse("--seeds", "10.0.0.5:7600")).isEqualTo(new HostPort("10.0.0.5", 7600));
        assertThat(HostPort.parse("--seeds", "node-1.example:1")).isEqualTo(new HostPort("node-1.example", 1));
        assertThat(HostPort.parse("--seeds", "[::1]:7600")).isEqualTo(new HostPort("::1", 7600));
        assertThat(HostPort.parse("--seeds", "[fe80::1%eth0]:65535").host()).isEqualTo("fe80::1%eth0");
        for (String text : new String[] {"10.0.0.5:7600", "node-1.example:1", "[::1]:7600", "[fd00::1]:65535"}) {
            assertThat(HostPort.parse("--seeds", text)).hasToString(text);
        }
    }

    @Test
    void when_an_ipv6_address_is_not_in_brackets_then_it_is_refused_saying_so() {
        // "::1:7600" could be ::1 port 7600 or the address ::1:7600 without a port: no guessing.
        assertThatThrownBy(() -> HostPort.parse("--bind", "::1:7600"))
                .hasMessage("--bind must be host:port (IPv6 in brackets, as [::1]:7600), was '::1:7600': an IPv6"
                        + " address must be in brackets (its last group could be the port)");
        assertThatThrownBy(() -> HostPort.parse("--bind", "fd00::1", 53)).hasMessageContaining("in brackets");
        assertThatThrownBy(() -> HostPort.parse("--bind", "[fd00::1:7600")).hasMessageContaining("not closed");
        assertThatThrownBy(() -> HostPort.parse("--bind", "[fd00::1]7600")).hasMessageContaining("after ']'");
        assertThatThrownBy(() -> HostPort.parse("--bind", "[node-1]:7600")).hasMessageContaining("IPv6 addresses only");
    }

    @Test
    void when_the_port_is_missing_or_out_of_range_then_the_message_names_the_option_and_the_value() {
        assertThatThrownBy(() -> HostPort.parse("--seeds", "10.0.0.5")).hasMessageStartingWith("--seeds must be")
                .hasMessageContaining("'10.0.0.5'").hasMessageEndingWith("the port is missing");
        assertThatThrownBy(() -> HostPort.parse("--seeds", "10.0.0.5:")).hasMessageEndingWith("the port is missing");
        assertThatThrownBy(() -> HostPort.parse("--seeds", "[::1]")).hasMessageEndingWith("the port is missing");
        assertThatThrownBy(() -> HostPort.parse("--seeds", "h:x")).hasMessageEndingWith("the port 'x' is not a number");
        assertThatThrownBy(() -> HostPort.parse("--seeds", "h:-1")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> HostPort.parse("--seeds", "h:65536")).hasMessageEndingWith("the port must be 1 to 65535");
        assertThatThrownBy(() -> HostPort.parse("--seeds", "h:99999999999")).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> HostPort.parse("--seeds", "h:0")).hasMessageEndingWith("the port must be 1 to 65535");
    }

    @Test
    void when_the_host_is_empty_or_the_value_missing_then_it_is_refused() {
        assertThatThrownBy(() -> HostPort.parse("--http", ":8600")).hasMessageEndingWith("the host is missing");
        assertThatThrownBy(() -> HostPort.parse("--http", "[]:8600")).hasMessageContaining("IPv6 addresses only");
        assertThatThrownBy(() -> HostPort.parse("--http", " :8600")).hasMessageEndingWith("the host is missing");
        assertThatThrownBy(() -> HostPort.parse("--http", "a b:8600")).hasMessageEndingWith("white space");
        assertThatThrownBy(() -> HostPort.parse("--http", "")).hasMessageEndingWith("it is empty");
        assertThatThrownBy(() -> HostPort.parse("--http", null)).hasMessageEndingWith("it is missing");
        assertThatThrownBy(() -> new HostPort(" ", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostPort("h", 65_536)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void an_address_to_listen_on_may_ask_for_any_free_port() {
        assertThat(HostPort.parseListen("--bind", "127.0.0.1:0")).isEqualTo(new HostPort("127.0.0.1", 0));
        assertThatThrownBy(() -> HostPort.parseListen("--bind", "127.0.0.1:65536"))
                .hasMessageEndingWith("the port must be 0 to 65535 (0: any free port)");
    }

    @Test
    void a_default_port_fills_in_where_none_is_given() {
        assertThat(HostPort.parse("server", "10.0.0.10", 53)).isEqualTo(new HostPort("10.0.0.10", 53));
        assertThat(HostPort.parse("server", "[::1]", 53)).isEqualTo(new HostPort("::1", 53));
        assertThat(HostPort.parse("server", "[fd00::1]:5353", 53)).isEqualTo(new HostPort("fd00::1", 5353));
        assertThatThrownBy(() -> HostPort.parse("server", "10.0.0.1:", 53)).hasMessageEndingWith("the port is missing");
    }

    @Test
    void socket_addresses_print_their_ip_with_ipv6_in_brackets() {
        assertThat(HostPort.format(new InetSocketAddress("::1", 5))).isEqualTo("[0:0:0:0:0:0:0:1]:5");
        assertThat(HostPort.format(new InetSocketAddress("127.0.0.1", 7600))).isEqualTo("127.0.0.1:7600");
        assertThat(HostPort.format(InetSocketAddress.createUnresolved("node-1", 7600))).isEqualTo("node-1:7600");
        assertThat(HostPort.hostOf(new InetSocketAddress("127.0.0.1", 7600))).isEqualTo("127.0.0.1");
        assertThat(HostPort.parse("x", "[::1]:9000").unresolved().getHostString()).isEqualTo("::1");
        assertThat(new HostPort("[::1]", 1).host()).isEqualTo("::1");
    }

    @Test
    void loopback_and_wildcard_hosts_are_told_apart() {
        assertThat(new HostPort("localhost", 1).isLoopback()).isTrue();
        assertThat(new HostPort("127.0.0.2", 1).isLoopback()).isTrue();
        assertThat(new HostPort("::1", 1).isLoopback()).isTrue();
        assertThat(new HostPort("10.0.0.1", 1).isLoopback()).isFalse();
        assertThat(new HostPort("0.0.0.0", 1).isWildcard()).isTrue();
        assertThat(new HostPort("::", 1).isWildcard()).isTrue();
        assertThat(new HostPort("127.0.0.1", 1).isWildcard()).isFalse();
        assertThat(new HostPort("0.0.0.0", 7600).withHost("10.1.2.3")).hasToString("10.1.2.3:7600");
    }
}
