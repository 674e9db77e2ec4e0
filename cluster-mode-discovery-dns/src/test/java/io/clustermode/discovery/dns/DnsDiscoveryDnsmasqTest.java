package io.clustermode.discovery.dns;

import io.clustermode.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link DnsDiscovery} against a real dnsmasq whose records change during the test. Skipped, with
 * the reason, when dnsmasq is not installed (Debian/Ubuntu package {@code dnsmasq}).
 */
class DnsDiscoveryDnsmasqTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String SRV_NAME = "_cluster._tcp." + Dnsmasq.DOMAIN;

    private static Path executable;

    @TempDir
    Path dir;

    private Dnsmasq dnsmasq;

    // per test rather than @BeforeAll, so that every test is reported as skipped, with the reason
    @BeforeEach
    void dnsmasqIsInstalled() {
        Optional<Path> found = Dnsmasq.executable();
        assumeTrue(found.isPresent(), "dnsmasq is not installed (apt-get install -y dnsmasq): "
                + "skipping the DNS discovery tests against a real DNS server");
        executable = found.get();
    }

    @AfterEach
    void stopDnsmasq() {
        if (dnsmasq != null) {
            dnsmasq.close();
        }
    }

    @Test
    void a_and_aaaa_records_give_one_sorted_instance_per_address_and_follow_changes() throws Exception {
        dnsmasq = Dnsmasq.start(executable, dir,
                "10.0.0.2 nodes.cm.test\nfd00::1 nodes.cm.test\n10.0.0.1 nodes.cm.test\n", List.of());
        DnsDiscovery discovery = new DnsDiscovery(config("nodes.cm.test").withPort(7700));

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ids(discovery.instances()))
                .containsExactly("10.0.0.1:7700", "10.0.0.2:7700", "[fd00::1]:7700"));
        List<ServiceInstance> instances = discovery.instances();
        ServiceInstance v6 = instances.get(2);
        assertThat(v6.host()).isEqualTo("fd00::1");
        assertThat(v6.transportAddress(DnsDiscovery.PORT_NAME)).contains("[fd00::1]:7700");
        assertThat(v6.serviceId()).isEqualTo("nodes.cm.test");
        assertThat(v6.metadata()).containsEntry(DnsDiscovery.META_TYPE, "AAAA");
        assertThat(instances.get(0).metadata()).containsEntry(DnsDiscovery.META_TYPE, "A")
                .containsEntry(DnsDiscovery.META_NAME, "nodes.cm.test");

        // one leaves, one joins
        dnsmasq.writeHosts("10.0.0.2 nodes.cm.test\nfd00::1 nodes.cm.test\n10.0.0.10 nodes.cm.test\n");
        dnsmasq.reload();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ids(discovery.instances()))
                .containsExactly("10.0.0.2:7700", "10.0.0.10:7700", "[fd00::1]:7700"));
        assertThat(discovery.warnings()).isEmpty();
    }

    @Test
    void a_name_that_disappears_is_a_failure_logged_once_not_an_empty_cluster() throws Exception {
        dnsmasq = Dnsmasq.start(executable, dir, "10.0.0.1 nodes.cm.test\n", List.of());
        DnsDiscovery discovery = new DnsDiscovery(config("nodes.cm.test"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ids(discovery.instances()))
                .containsExactly("10.0.0.1:7600"));

        dnsmasq.writeHosts("");
        dnsmasq.reload();
        await().atMost(PATIENCE).untilAsserted(() -> assertThatThrownBy(discovery::instances)
                .isInstanceOf(DnsLookupException.class));
        for (int poll = 0; poll < 5; poll++) {
            DnsLookupException e = catchThrowableOfType(DnsLookupException.class, discovery::instances);
            assertThat(e.reason()).isEqualTo(DnsLookupException.Reason.NXDOMAIN);
            assertThat(e).hasMessageContaining("nodes.cm.test").hasMessageContaining("NXDOMAIN")
                    .hasMessageContaining(dnsmasq.server());
        }
        // the A and the AAAA query fail alike; only the first is asked, so one warning
        assertThat(discovery.warnings()).hasSize(1).first().asString()
                .contains("nodes.cm.test", "NXDOMAIN", "does not exist");

        // it comes back, then goes again: that is a new failure, logged again
        dnsmasq.writeHosts("10.0.0.1 nodes.cm.test\n");
        dnsmasq.reload();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ids(discovery.instances()))
                .containsExactly("10.0.0.1:7600"));
        dnsmasq.writeHosts("");
        dnsmasq.reload();
        await().atMost(PATIENCE).untilAsserted(() -> assertThatThrownBy(discovery::instances)
                .isInstanceOf(DnsLookupException.class));
        assertThat(discovery.warnings()).hasSize(2);
    }

    @Test
    void a_name_without_address_records_is_an_empty_answer_not_a_failure() throws Exception {
        // the SRV name exists (it has SRV records) but has no A or AAAA records
        dnsmasq = Dnsmasq.start(executable, dir, "", List.of(srv("a.cm.test,7600")));
        DnsDiscovery discovery = new DnsDiscovery(config(SRV_NAME));
        assertThat(discovery.instances()).isEmpty();
        assertThat(discovery.warnings()).isEmpty();
    }

    @Test
    void srv_records_give_target_and_port_and_follow_a_restart_with_other_records() throws Exception {
        dnsmasq = Dnsmasq.start(executable, dir,
                "10.0.0.1 a.cm.test\nfd00::2 b.cm.test\n10.0.0.2 b.cm.test\n10.0.0.3 real.cm.test\n",
                List.of(srv("a.cm.test,7601,0,10"), srv("b.cm.test,7602,1,20"), srv("alias.cm.test,7603"),
                        srv("missing.cm.test,7604"),
                        // dnsmasq adds no additional records for a CNAME target: that one is looked up
                        "--cname=alias.cm.test,real.cm.test"));
        DnsDiscovery discovery = new DnsDiscovery(DnsDiscoveryConfig.srv(SRV_NAME).withServer(dnsmasq.server())
                .withTimeout(Duration.ofSeconds(2)).withServiceId("app"));

        List<ServiceInstance> instances = discovery.instances();
        assertThat(ids(instances)).containsExactly("a.cm.test:7601", "alias.cm.test:7603", "b.cm.test:7602",
                "missing.cm.test:7604");
        ServiceInstance a = instances.get(0);
        assertThat(a.host()).isEqualTo("10.0.0.1");
        assertThat(a.transportAddress(DnsDiscovery.PORT_NAME)).contains("10.0.0.1:7601");
        assertThat(a.serviceId()).isEqualTo("app");
        assertThat(a.metadata()).containsEntry(DnsDiscovery.META_TYPE, "SRV")
                .containsEntry(DnsDiscovery.META_TARGET, "a.cm.test")
                .containsEntry(DnsDiscovery.META_PRIORITY, "0").containsEntry(DnsDiscovery.META_WEIGHT, "10");
        assertThat(instances.get(1).host()).as("resolved by a lookup through the CNAME").isEqualTo("10.0.0.3");
        ServiceInstance b = instances.get(2);
        assertThat(b.host()).as("IPv4 preferred").isEqualTo("10.0.0.2");
        assertThat(b.metadata()).containsEntry(DnsDiscovery.META_ADDRESSES, "10.0.0.2,fd00::2");
        ServiceInstance missing = instances.get(3);
        assertThat(missing.host()).as("kept by name").isEqualTo("missing.cm.test");
        assertThat(missing.transportAddress(DnsDiscovery.PORT_NAME)).contains("missing.cm.test:7604");
        assertThat(missing.metadata()).doesNotContainKey(DnsDiscovery.META_ADDRESSES);

        // other records: dnsmasq reads --srv-host only at start, so it is restarted
        dnsmasq.restart(List.of(srv("b.cm.test,7602"), srv("c.cm.test,7605")));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ids(discovery.instances()))
                .containsExactly("b.cm.test:7602", "c.cm.test:7605"));
        // and a record that says "not offered here" counts for nothing
        dnsmasq.restart(List.of(srv("b.cm.test,7602"), "--srv-host=" + SRV_NAME)); // target "."
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ids(discovery.instances()))
                .containsExactly("b.cm.test:7602"));
        assertThat(discovery.warnings()).isEmpty();
    }

    @Test
    void an_unknown_name_is_nxdomain_and_a_foreign_one_refused() throws Exception {
        dnsmasq = Dnsmasq.start(executable, dir, "", List.of());
        DnsDiscovery unknown = new DnsDiscovery(config("nobody.cm.test"));
        DnsLookupException nx = catchThrowableOfType(DnsLookupException.class, unknown::instances);
        assertThat(nx.reason()).isEqualTo(DnsLookupException.Reason.NXDOMAIN);
        assertThat(nx).hasMessage("DNS lookup of nobody.cm.test A at " + dnsmasq.server()
                + " failed: NXDOMAIN, the name does not exist");

        DnsDiscovery srv = new DnsDiscovery(DnsDiscoveryConfig.srv("_x._tcp.cm.test").withServer(dnsmasq.server()));
        assertThat(catchThrowableOfType(DnsLookupException.class, srv::instances).reason())
                .isEqualTo(DnsLookupException.Reason.NXDOMAIN);

        // no upstream server: dnsmasq refuses names outside its domain
        DnsDiscovery foreign = new DnsDiscovery(config("example.org"));
        DnsLookupException refused = catchThrowableOfType(DnsLookupException.class, foreign::instances);
        assertThat(refused.reason()).isEqualTo(DnsLookupException.Reason.REFUSED);
        assertThat(refused).hasMessageContaining("REFUSED");
    }

    private DnsDiscoveryConfig config(String name) {
        return DnsDiscoveryConfig.addresses(name).withServer(dnsmasq.server()).withTimeout(Duration.ofSeconds(2));
    }

    private static String srv(String targetPortPriorityWeight) {
        return "--srv-host=" + SRV_NAME + "," + targetPortPriorityWeight;
    }

    private static List<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::instanceId).toList();
    }
}
