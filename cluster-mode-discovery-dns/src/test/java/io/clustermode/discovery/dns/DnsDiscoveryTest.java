package io.clustermode.discovery.dns;

import io.clustermode.discovery.ServiceInstance;
import io.clustermode.transport.HostPort;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@link DnsDiscovery} against servers that fail, and its configuration; needs no dnsmasq. */
class DnsDiscoveryTest {

    @Test
    void a_server_that_never_answers_is_a_timeout_logged_once() throws Exception {
        // bound but never read: the query is neither answered nor refused by the kernel
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            DnsDiscovery discovery = new DnsDiscovery(DnsDiscoveryConfig.addresses("nodes.cm.test")
                    .withServer("127.0.0.1:" + silent.getLocalPort()).withTimeout(Duration.ofMillis(300)));
            for (int poll = 0; poll < 3; poll++) {
                DnsLookupException e = catchThrowableOfType(DnsLookupException.class, discovery::instances);
                assertThat(e.reason()).isEqualTo(DnsLookupException.Reason.TIMEOUT);
                assertThat(e).hasMessage("DNS lookup of nodes.cm.test A at 127.0.0.1:" + silent.getLocalPort()
                        + " failed: no answer within 300 ms");
            }
            assertThat(discovery.warnings()).hasSize(1);
        }
    }

    @Test
    void servfail_is_a_failure_not_an_empty_answer() throws Exception {
        try (ServfailServer server = new ServfailServer()) {
            DnsDiscovery discovery = new DnsDiscovery(DnsDiscoveryConfig.srv("_cluster._tcp.cm.test")
                    .withServer("127.0.0.1:" + server.port()).withTimeout(Duration.ofSeconds(2)));
            DnsLookupException e = catchThrowableOfType(DnsLookupException.class, discovery::instances);
            assertThat(e.reason()).isEqualTo(DnsLookupException.Reason.SERVFAIL);
            assertThat(e).hasMessageContaining("_cluster._tcp.cm.test SRV").hasMessageContaining("SERVFAIL");
        }
    }

    /** A server that refuses AAAA for a name it holds only A records of (reported of dnsmasq without --local). */
    @Test
    void when_the_server_refuses_one_address_family_the_other_names_the_instances_and_this_is_said_once()
            throws Exception {
        try (ScriptedServer server = new ScriptedServer((query, answer) -> {
            org.xbill.DNS.Record question = query.getQuestion();
            if (question.getType() == org.xbill.DNS.Type.AAAA) {
                answer.getHeader().setRcode(Rcode.REFUSED);
                return;
            }
            for (String address : new String[] {"127.0.0.10", "127.0.0.11"}) {
                try {
                    answer.addRecord(new org.xbill.DNS.ARecord(question.getName(), org.xbill.DNS.DClass.IN, 30,
                            InetAddress.getByName(address)), org.xbill.DNS.Section.ANSWER);
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        })) {
            DnsDiscovery discovery = new DnsDiscovery(DnsDiscoveryConfig.addresses("nodes.cm.test")
                    .withServer("127.0.0.1:" + server.port()).withTimeout(Duration.ofSeconds(2)));
            for (int poll = 0; poll < 3; poll++) {
                assertThat(discovery.instances()).extracting(ServiceInstance::host)
                        .containsExactly("127.0.0.10", "127.0.0.11");
            }
            assertThat(discovery.warnings()).singleElement().asString()
                    .contains("nodes.cm.test AAAA", "REFUSED", "the A records alone");
        }
    }

    @Test
    void with_only_a_records_asked_for_no_aaaa_query_is_sent_and_nothing_is_said() throws Exception {
        java.util.concurrent.atomic.AtomicInteger aaaaQueries = new java.util.concurrent.atomic.AtomicInteger();
        try (ScriptedServer server = new ScriptedServer((query, answer) -> {
            org.xbill.DNS.Record question = query.getQuestion();
            if (question.getType() == org.xbill.DNS.Type.AAAA) {
                aaaaQueries.incrementAndGet();
                answer.getHeader().setRcode(Rcode.REFUSED);
                return;
            }
            try {
                answer.addRecord(new org.xbill.DNS.ARecord(question.getName(), org.xbill.DNS.DClass.IN, 30,
                        InetAddress.getByName("127.0.0.12")), org.xbill.DNS.Section.ANSWER);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        })) {
            DnsDiscovery discovery = new DnsDiscovery(DnsDiscoveryConfig.addresses("nodes.cm.test")
                    .withServer("127.0.0.1:" + server.port()).withTimeout(Duration.ofSeconds(2))
                    .withRecordTypes(DnsDiscoveryConfig.parseRecordTypes("a")));
            assertThat(discovery.instances()).extracting(ServiceInstance::host).containsExactly("127.0.0.12");
            assertThat(aaaaQueries).hasValue(0);
            assertThat(discovery.warnings()).isEmpty();
        }
        assertThat(DnsDiscoveryConfig.parseRecordTypes("A,AAAA")).containsExactly(DnsDiscoveryConfig.RecordType.A,
                DnsDiscoveryConfig.RecordType.AAAA);
        assertThatThrownBy(() -> DnsDiscoveryConfig.parseRecordTypes("A,MX"))
                .hasMessage("--dns-record-types must be A, AAAA or A,AAAA, was 'A,MX'");
        assertThatThrownBy(() -> DnsDiscoveryConfig.addresses("x.test").withRecordTypes(java.util.Set.of()))
                .hasMessageContaining("--dns-record-types");
    }

    @Test
    void when_the_server_refuses_both_families_nothing_is_learned() throws Exception {
        try (ScriptedServer server = new ScriptedServer((query, answer) -> answer.getHeader().setRcode(Rcode.REFUSED))) {
            DnsDiscovery discovery = new DnsDiscovery(DnsDiscoveryConfig.addresses("nodes.cm.test")
                    .withServer("127.0.0.1:" + server.port()).withTimeout(Duration.ofSeconds(2)));
            DnsLookupException e = catchThrowableOfType(DnsLookupException.class, discovery::instances);
            assertThat(e.reason()).isEqualTo(DnsLookupException.Reason.REFUSED);
        }
    }

    @Test
    void a_closed_discovery_refuses_to_answer() {
        DnsDiscovery discovery = new DnsDiscovery(DnsDiscoveryConfig.addresses("nodes.cm.test").withServer("127.0.0.1:53"));
        discovery.close();
        assertThatThrownBy(discovery::instances).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void without_a_server_the_system_resolvers_are_used() {
        DnsDiscovery discovery = new DnsDiscovery(DnsDiscoveryConfig.addresses("nodes.cm.test"));
        assertThat(discovery).asString().contains("the system's DNS servers");
    }

    @Test
    void defaults() {
        DnsDiscoveryConfig config = DnsDiscoveryConfig.addresses("nodes.cm.test");
        assertThat(config.mode()).isEqualTo(DnsDiscoveryConfig.Mode.ADDRESS);
        assertThat(config.port()).isEqualTo(7600);
        assertThat(config.server()).isNull();
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.serviceId()).isEqualTo("nodes.cm.test");
        assertThat(DnsDiscoveryConfig.srv("_c._tcp.x").mode()).isEqualTo(DnsDiscoveryConfig.Mode.SRV);
    }

    @Test
    void bad_options_are_refused_by_name() {
        DnsDiscoveryConfig ok = DnsDiscoveryConfig.addresses("nodes.cm.test");
        assertThatThrownBy(() -> DnsDiscoveryConfig.addresses(" ")).hasMessageStartingWith("name (--dns-name)");
        assertThatThrownBy(() -> DnsDiscoveryConfig.addresses("a..b")).hasMessageStartingWith("name (--dns-name)");
        assertThatThrownBy(() -> ok.withPort(0)).hasMessage("port (--dns-port) must be 1 to 65535, was 0");
        assertThatThrownBy(() -> ok.withPort(65_536)).hasMessageContaining("--dns-port");
        assertThatThrownBy(() -> ok.withServer("10.0.0.1:x")).hasMessage("server (--dns-server) must be host:port"
                + " (IPv6 in brackets, as [::1]:7600), was '10.0.0.1:x': the port 'x' is not a number");
        assertThatThrownBy(() -> ok.withServer("fd00::1")).hasMessageContaining("--dns-server");
        assertThatThrownBy(() -> ok.withServer("[fd00::1")).hasMessageContaining("--dns-server");
        assertThatThrownBy(() -> ok.withServer(":53")).hasMessageContaining("--dns-server");
        assertThatThrownBy(() -> ok.withTimeout(Duration.ZERO)).hasMessageStartingWith("timeout");
        assertThatThrownBy(() -> ok.withServiceId("")).hasMessageStartingWith("serviceId");
        assertThat(ok.withServer("[fd00::1]:5353").server()).isEqualTo("[fd00::1]:5353");
        assertThat(DnsDiscoveryConfig.parseServer("[fd00::1]:5353"))
                .isEqualTo(new HostPort("fd00::1", 5353));
        assertThat(DnsDiscoveryConfig.parseServer("10.0.0.10")).isEqualTo(new HostPort("10.0.0.10", 53));
        assertThat(DnsDiscoveryConfig.parseServer("[::1]")).isEqualTo(new HostPort("::1", 53));
    }

    @Test
    void ipv6_addresses_are_written_short() throws Exception {
        assertThat(DnsDiscovery.text(InetAddress.getByName("fd00:0:0:0:0:0:0:1"))).isEqualTo("fd00::1");
        assertThat(DnsDiscovery.text(InetAddress.getByName("::"))).isEqualTo("::");
        assertThat(DnsDiscovery.text(InetAddress.getByName("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1");
        assertThat(DnsDiscovery.text(InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(DnsDiscovery.text(InetAddress.getByName("1:2:3:4:5:6:7:8"))).isEqualTo("1:2:3:4:5:6:7:8");
        assertThat(DnsDiscovery.text(InetAddress.getByName("1:0:3:4:5:6:7:0"))).isEqualTo("1:0:3:4:5:6:7:0");
    }

    /** Answers every query with SERVFAIL, on a loopback UDP port, until closed. */
    private static final class ServfailServer extends ScriptedServer {

        ServfailServer() throws SocketException {
            super((query, answer) -> answer.getHeader().setRcode(Rcode.SERVFAIL));
        }
    }

    /** Answers each query as {@code script} fills in the answer, on a loopback UDP port, until closed. */
    private static class ScriptedServer implements AutoCloseable {

        private final DatagramSocket socket;
        private final Thread thread;
        private final java.util.function.BiConsumer<Message, Message> script;

        ScriptedServer(java.util.function.BiConsumer<Message, Message> script) throws SocketException {
            this.script = script;
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "servfail-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            byte[] buffer = new byte[4096];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                    Message answer = new Message(query.getHeader().getID());
                    answer.getHeader().setFlag(Flags.QR);
                    answer.addRecord(query.getQuestion(), org.xbill.DNS.Section.QUESTION);
                    script.accept(query, answer);
                    byte[] wire = answer.toWire();
                    socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                } catch (Exception e) {
                    return; // closed
                }
            }
        }

        @Override
        public void close() {
            socket.close();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
