package io.clustermode.netty;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static io.clustermode.netty.TestNodes.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class TlsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final TestNodes nodes = new TestNodes();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() {
        nodes.close();
    }

    private TestNodes.Node start(String id, String ip, TlsConfig tls) throws IOException {
        return nodes.start(id, ip, 0, TestNodes.CLUSTER, c -> c.tls(tls));
    }

    @Test
    void mutualTlsWithTheClusterCaAndRefusalOfAnotherCa() throws Exception {
        TestPki.Ca clusterCa = TestPki.newCa("cluster", dir);
        TestPki.Ca otherCa = TestPki.newCa("other", dir);
        TestNodes.Node a = start("a", "127.0.0.1", clusterCa.issueMutual("a"));
        TestNodes.Node b = start("b", "127.0.0.2", clusterCa.issueMutual("b"));
        // m trusts the cluster CA but holds a certificate of another CA.
        TlsConfig foreign = otherCa.issueMutual("m");
        TestNodes.Node m = start("m", "127.0.0.3", new TlsConfig(foreign.certPem(), foreign.keyPem(), clusterCa.certPem));

        try (LogCapture log = new LogCapture()) {
            a.transport.updatePeers(Map.of(b.id, b.address(), m.id, m.address()));
            b.transport.updatePeers(Map.of(a.id, a.address()));
            m.transport.updatePeers(Map.of(a.id, a.address()));

            for (var message : TestNodes.everyType(a.id, b.id)) {
                a.transport.send(message);
            }
            for (var message : TestNodes.everyType(b.id, a.id)) {
                b.transport.send(message);
            }
            a.transport.send(heartbeat(a.id, m.id, 1));
            m.transport.send(heartbeat(m.id, a.id, 2));

            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(b.receivedFrom(a.id)).isEqualTo(TestNodes.hexes(TestNodes.everyType(a.id, b.id)));
                assertThat(a.receivedFrom(b.id)).isEqualTo(TestNodes.hexes(TestNodes.everyType(b.id, a.id)));
            });

            // a does not trust m's server certificate; a, as a server, refuses m's client certificate.
            await().atMost(PATIENCE).until(() -> a.unreachableMentions(m.id, "TLS failed"));
            await().atMost(PATIENCE).until(() -> !m.unreachable.isEmpty());
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(log.lines("WARN"))
                    .anySatisfy(line -> assertThat(line).contains("a: TLS handshake with 127.0.0.")));
            assertThat(a.received).allMatch(msg -> msg.from().equals(b.id));
            assertThat(m.received).isEmpty();
            assertThat(a.transport.isConnected(m.id)).isFalse();
            assertThat(m.transport.isConnected(a.id)).isFalse();
            assertThat(log.lines("ERROR")).noneMatch(line -> line.contains("NettyTransport"));
        }

        assertThat(a.transport.identify(b.address()).get(20, TimeUnit.SECONDS).nodeId()).isEqualTo(b.id);
        assertThatThrownBy(() -> a.transport.identify(m.address()).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(HandshakeRefusedException.class);
    }

    @Test
    void aPlainTcpClientGetsNowhereOnATlsPort() throws Exception {
        TestPki.Ca ca = TestPki.newCa("cluster", dir);
        TestNodes.Node a = start("a", "127.0.0.1", ca.issueMutual("a"));
        TestNodes.Node plain = nodes.start("p", "127.0.0.2");
        plain.transport.updatePeers(Map.of(a.id, a.address()));
        plain.transport.send(heartbeat(plain.id, a.id, 1));
        await().atMost(PATIENCE).until(() -> !plain.unreachable.isEmpty());
        assertThat(a.received).isEmpty();
    }

    @Test
    void unusableTlsFilesFailTheStartNamingTheFile() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("not-a-key.pem"), "nothing here");
        TestPki.Ca ca = TestPki.newCa("cluster", dir);
        TlsConfig good = ca.issueMutual("a");
        TlsConfig broken = new TlsConfig(good.certPem(), notAKey, good.caPem());
        NettyTransport transport = new NettyTransport(TestNodes.config("a", "127.0.0.1", 0, TestNodes.CLUSTER)
                .tls(broken).build());
        assertThatThrownBy(() -> transport.start(new TestNodes.Node(transport.config())))
                .isInstanceOf(IOException.class).hasMessageContaining("not-a-key.pem");
        transport.close();
    }
}
