package io.clustermode.discovery.dns;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.Member;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three nodes, each on its own loopback address (127.0.0.1-3) with the same port, find each
 * other through the A records of one name on a real dnsmasq, bootstrap one cluster over TCP and
 * elect one primary — no seeds, no node knowing another in advance.
 */
class DnsClusterEndToEndTest {

    @TempDir
    Path dir;

    private Dnsmasq dnsmasq;
    private final List<Cluster<Void, ?>> nodes = new ArrayList<>();

    @BeforeEach
    void dnsmasqIsInstalled() {
        assumeTrue(Dnsmasq.executable().isPresent(), "dnsmasq is not installed (apt-get install -y dnsmasq-base): "
                + "skipping the DNS end-to-end test");
    }

    @AfterEach
    void stop() {
        nodes.forEach(Cluster::closeNow);
        if (dnsmasq != null) {
            dnsmasq.close();
        }
    }

    private static int portFreeOnAllThree() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (ServerSocket first = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                port = first.getLocalPort();
            }
            boolean free = true;
            for (String ip : List.of("127.0.0.2", "127.0.0.3")) {
                try (ServerSocket probe = new ServerSocket()) {
                    probe.bind(new InetSocketAddress(ip, port));
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return port;
            }
        }
        throw new IOException("no port free on 127.0.0.1-3");
    }

    @Test
    void three_nodes_find_each_other_through_dns_and_elect_one_primary() throws Exception {
        threeNodesElect(List.of());
    }

    /**
     * Issue 19: a dnsmasq without {@code --local} has no answer of its own for the AAAA question
     * of a name with A records only, and no upstream to ask; the A answer alone must form the
     * cluster.
     */
    @Test
    void three_nodes_elect_through_a_dnsmasq_serving_a_records_only_without_local() throws Exception {
        threeNodesElect(List.of(Dnsmasq.NOT_LOCAL));
    }

    private void threeNodesElect(List<String> dnsmasqOptions) throws Exception {
        dnsmasq = Dnsmasq.start(Dnsmasq.executable().orElseThrow(), dir,
                "127.0.0.1 nodes.cm.test\n127.0.0.2 nodes.cm.test\n127.0.0.3 nodes.cm.test\n", dnsmasqOptions);
        int port = portFreeOnAllThree();
        for (int i = 1; i <= 3; i++) {
            DnsDiscovery discovery = new DnsDiscovery(DnsDiscoveryConfig.addresses("nodes.cm.test")
                    .withServer(dnsmasq.server()).withPort(port).withTimeout(Duration.ofSeconds(2)));
            nodes.add(Cluster.start(ClusterConfig.builder()
                    .bind("127.0.0.%d:%d".formatted(i, port))
                    .discovery(discovery)
                    .dataDir(dir.resolve("node-" + i))
                    .heartbeatInterval(Duration.ofMillis(50))
                    .electionTimeout(Duration.ofMillis(300))
                    .updateInterval(Duration.ofMillis(200))
                    .build()));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Optional<Member> primary = nodes.get(0).primary();
            return primary.isPresent()
                    && nodes.stream().allMatch(n -> n.primary().map(Member::id).equals(primary.map(Member::id)))
                    && nodes.get(0).members().stream().filter(Member::voter).count() == 3;
        });
        // A member learned from the log gets its address at this node's next discovery round.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<String> addresses = nodes.get(0).members().stream().map(Member::address).collect(Collectors.toSet());
            assertThat(addresses).containsExactlyInAnyOrder("127.0.0.1:" + port, "127.0.0.2:" + port,
                    "127.0.0.3:" + port);
        });
        assertThat(nodes.stream().filter(Cluster::isPrimary).count()).isEqualTo(1);
    }
}
