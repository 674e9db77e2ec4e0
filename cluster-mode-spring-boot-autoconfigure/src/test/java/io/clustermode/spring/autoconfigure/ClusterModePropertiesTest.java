package io.clustermode.spring.autoconfigure;

import io.clustermode.ClusterConfig;
import io.clustermode.discovery.DiscoveryService;
import io.clustermode.discovery.StaticDiscovery;
import io.clustermode.discovery.dns.DnsDiscovery;
import io.clustermode.discovery.dns.DnsDiscoveryConfig;
import io.clustermode.discovery.kubernetes.KubernetesDiscovery;
import io.clustermode.discovery.kubernetes.KubernetesDiscoveryConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code cluster-mode.*} properties as Spring binds them: every option reaches the library's
 * configuration, and every bad value stops the start with a message that names the property.
 * Nothing here starts a node: the properties are bound and turned into a {@code ClusterConfig}
 * and a discovery only.
 */
class ClusterModePropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(PropertiesOnly.class);

    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ClusterModeProperties.class)
    static class PropertiesOnly {
    }

    @Test
    void defaults_are_the_command_lines() {
        runner.withPropertyValues("cluster-mode.insecure=true").run(context -> {
            ClusterModeProperties properties = context.getBean(ClusterModeProperties.class);
            ClusterConfig config = ClusterConfigFactory.builder(properties).build();
            assertThat(config.clusterName()).isEqualTo("cluster-mode");
            assertThat(properties.getBind()).isEqualTo("0.0.0.0:7600");
            assertThat(config.minNodes()).isEqualTo(3);
            assertThat(config.maxNodes()).isEqualTo(20);
            assertThat(config.voters()).isEqualTo(5);
            assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMillis(100));
            assertThat(config.electionTimeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(config.updateInterval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(properties.getConnectionTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(properties.getDiscovery()).isEqualTo(ClusterModeProperties.Discovery.STATIC);
            assertThat(properties.getDataDir()).isNull();
            assertThat(properties.getDns().getPort()).isEqualTo(7600);
            assertThat(properties.getKubernetes().getPortName()).isEqualTo("cluster");
        });
    }

    @Test
    void the_contracts_properties_and_every_other_option_reach_the_configuration() throws IOException {
        Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-");
        Path key = Files.writeString(dir.resolve("key.pem"), "-");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-");
        runner.withPropertyValues("cluster-mode.node-id=n1", "cluster-mode.bind=127.0.0.1:7601",
                "cluster-mode.seeds=127.0.0.1:7601, 127.0.0.1:7602,127.0.0.1:7603",
                "cluster-mode.data-dir=" + dir.resolve("n1"), "cluster-mode.min-nodes=2",
                "cluster-mode.cluster-name=billing", "cluster-mode.advertise=10.0.0.1:7601",
                "cluster-mode.max-nodes=7", "cluster-mode.voters=3", "cluster-mode.heartbeat-interval=50",
                "cluster-mode.election-timeout=600ms", "cluster-mode.update-interval=2s",
                "cluster-mode.connection-timeout=1500", "cluster-mode.removal-grace=30s",
                "cluster-mode.cluster-secret-file=" + secret, "cluster-mode.tls.cert=" + cert,
                "cluster-mode.tls.key=" + key, "cluster-mode.tls.ca=" + ca, "cluster-mode.insecure=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ClusterModeProperties properties = context.getBean(ClusterModeProperties.class);
                    assertThat(properties.getSeeds()).hasSize(3);
                    assertThat(properties.getRemovalGrace()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(properties.getConnectionTimeout()).isEqualTo(Duration.ofMillis(1500));
                    assertThat(properties.getClusterSecretFile()).isEqualTo(secret);
                    assertThat(properties.getTls().getCert()).isEqualTo(cert);
                    assertThat(properties.getTls().getKey()).isEqualTo(key);
                    assertThat(properties.getTls().getCa()).isEqualTo(ca);
                    assertThat(properties.isInsecure()).isTrue();
                    ClusterConfig config = ClusterConfigFactory.builder(properties).build();
                    assertThat(config.toString()).contains("nodeId=n1", "bind=127.0.0.1:7601",
                            "dataDir=" + dir.resolve("n1"));
                    assertThat(config.clusterName()).isEqualTo("billing");
                    assertThat(config.advertise()).isEqualTo("10.0.0.1:7601");
                    assertThat(config.minNodes()).isEqualTo(2);
                    assertThat(config.maxNodes()).isEqualTo(7);
                    assertThat(config.voters()).isEqualTo(3);
                    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMillis(50));
                    assertThat(config.electionTimeout()).isEqualTo(Duration.ofMillis(600));
                    assertThat(config.updateInterval()).isEqualTo(Duration.ofSeconds(2));
                    DiscoveryService discovery = ClusterConfigFactory.discovery(properties);
                    assertThat(discovery).isInstanceOf(StaticDiscovery.class);
                    assertThat(discovery.instances()).extracting(i -> i.transportAddress("cluster").orElseThrow())
                            .containsExactly("127.0.0.1:7601", "127.0.0.1:7602", "127.0.0.1:7603");
                });
    }

    @Test
    void dns_discovery_takes_every_dns_property() {
        runner.withPropertyValues("cluster-mode.bind=127.0.0.1:7600", "cluster-mode.discovery=dns",
                "cluster-mode.dns.name=app.default.svc.cluster.local", "cluster-mode.dns.server=127.0.0.1:5353",
                "cluster-mode.dns.port=7700", "cluster-mode.dns.record-types=AAAA", "cluster-mode.dns.timeout=2s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    DiscoveryService discovery = ClusterConfigFactory.discovery(
                            context.getBean(ClusterModeProperties.class));
                    try {
                        DnsDiscoveryConfig dns = ((DnsDiscovery) discovery).config();
                        assertThat(dns.name()).isEqualTo("app.default.svc.cluster.local");
                        assertThat(dns.mode()).isEqualTo(DnsDiscoveryConfig.Mode.ADDRESS);
                        assertThat(dns.server()).isEqualTo("127.0.0.1:5353");
                        assertThat(dns.port()).isEqualTo(7700);
                        assertThat(dns.recordTypes()).isEqualTo(EnumSet.of(DnsDiscoveryConfig.RecordType.AAAA));
                        assertThat(dns.timeout()).isEqualTo(Duration.ofSeconds(2));
                    } finally {
                        discovery.close();
                    }
                });
        runner.withPropertyValues("cluster-mode.bind=127.0.0.1:7600", "cluster-mode.discovery=dns",
                "cluster-mode.dns.name=_cluster._tcp.app", "cluster-mode.dns.srv=true").run(context -> {
                    DiscoveryService discovery = ClusterConfigFactory.discovery(
                            context.getBean(ClusterModeProperties.class));
                    try {
                        assertThat(((DnsDiscovery) discovery).config().mode()).isEqualTo(DnsDiscoveryConfig.Mode.SRV);
                    } finally {
                        discovery.close();
                    }
                });
    }

    @Test
    void kubernetes_discovery_takes_every_kubernetes_property_and_the_port_name() {
        runner.withPropertyValues("cluster-mode.bind=127.0.0.1:7600", "cluster-mode.discovery=kubernetes",
                "cluster-mode.kubernetes.service=app", "cluster-mode.kubernetes.namespace=prod",
                "cluster-mode.kubernetes.port-name=raft", "cluster-mode.kubernetes.resync-period=0")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ClusterModeProperties properties = context.getBean(ClusterModeProperties.class);
                    KubernetesDiscoveryConfig kubernetes = ClusterConfigFactory.Kubernetes.config(properties);
                    assertThat(kubernetes.service()).isEqualTo("app");
                    assertThat(kubernetes.namespace()).isEqualTo("prod");
                    assertThat(kubernetes.portName()).isEqualTo("raft");
                    assertThat(kubernetes.resyncPeriod()).isZero();
                    assertThat(ClusterConfigFactory.builder(properties).build()).isNotNull();
                });
    }

    /** Each bad value, and the property its message must name. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "cluster-mode.min-nodes          | 0                | cluster-mode.min-nodes must be at least 1",
        "cluster-mode.max-nodes          | 2                | cluster-mode.max-nodes (2) must be at least cluster-mode.min-nodes (3)",
        "cluster-mode.voters             | 0                | cluster-mode.voters must be at least 1",
        "cluster-mode.heartbeat-interval | 400              | cluster-mode.heartbeat-interval (400 ms) must be at most a third of cluster-mode.election-timeout",
        "cluster-mode.election-timeout   | 10               | cluster-mode.election-timeout",
        "cluster-mode.update-interval    | 0                | cluster-mode.update-interval must be positive",
        "cluster-mode.connection-timeout | -1               | cluster-mode.connection-timeout must be positive",
        "cluster-mode.removal-grace      | 0                | cluster-mode.removal-grace must be positive",
        "cluster-mode.bind               | localhost        | cluster-mode.bind must be host:port",
        "cluster-mode.bind               | ::1:7600         | cluster-mode.bind must be host:port",
        "cluster-mode.advertise          | nowhere          | cluster-mode.advertise must be host:port",
        "cluster-mode.seeds              | 127.0.0.1        | cluster-mode.seeds must be host:port",
        "cluster-mode.node-id            | ' '              | cluster-mode.node-id must be 1 to 128 characters",
        "cluster-mode.cluster-name       | ' '              | cluster-mode.cluster-name must not be blank",
        "cluster-mode.tls.key            | /etc/hosts       | cluster-mode.tls.cert and cluster-mode.tls.key go together",
        "cluster-mode.tls.ca             | /etc/hosts       | cluster-mode.tls.ca needs cluster-mode.tls.cert and cluster-mode.tls.key",
        "cluster-mode.cluster-secret-file| /nonexistent/x   | cluster-mode.cluster-secret-file /nonexistent/x cannot be read",
        "cluster-mode.dns.name           | app.example      | cluster-mode.dns.name and cluster-mode.kubernetes.service need cluster-mode.discovery=dns or kubernetes",
        "cluster-mode.discovery          | dns              | cluster-mode.discovery=dns needs cluster-mode.dns.name",
        "cluster-mode.discovery          | kubernetes       | cluster-mode.discovery=kubernetes needs cluster-mode.kubernetes.service",
        "cluster-mode.discovery          | consul           | cluster-mode.discovery",
        "cluster-mode.min-nodes          | three            | cluster-mode.min-nodes",
        "cluster-mode.heartbeat-interval | often            | cluster-mode.heartbeat-interval",
    })
    void a_bad_value_stops_the_start_with_a_message_naming_its_property(String property, String value,
                                                                      String message) {
        runner.withPropertyValues("cluster-mode.bind=127.0.0.1:7600", property + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains(message);
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "cluster-mode.dns.port=0                     | cluster-mode.dns.port must be 1 to 65535, was 0",
        "cluster-mode.dns.server=::1                 | cluster-mode.dns.server must be host:port",
        "cluster-mode.dns.timeout=0                  | cluster-mode.dns.timeout must be positive",
        "cluster-mode.dns.record-types=              | cluster-mode.dns.record-types must name A, AAAA or both",
        "cluster-mode.seeds=127.0.0.1:7601           | cluster-mode.seeds and cluster-mode.kubernetes.service do not go with cluster-mode.discovery=dns",
    })
    void bad_dns_values_name_their_property(String assignment, String message) {
        runner.withPropertyValues("cluster-mode.bind=127.0.0.1:7600", "cluster-mode.discovery=dns",
                "cluster-mode.dns.name=app.example", assignment).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains(message);
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "cluster-mode.kubernetes.namespace=Prod      | cluster-mode.kubernetes.namespace must be a Kubernetes namespace name",
        "cluster-mode.kubernetes.port-name=_raft     | cluster-mode.kubernetes.port-name must be a Kubernetes port name",
        "cluster-mode.kubernetes.resync-period=-1    | cluster-mode.kubernetes.resync-period must be zero or positive",
        "cluster-mode.dns.name=app.example           | cluster-mode.seeds and cluster-mode.dns.name do not go with cluster-mode.discovery=kubernetes",
    })
    void bad_kubernetes_values_name_their_property(String assignment, String message) {
        runner.withPropertyValues("cluster-mode.bind=127.0.0.1:7600", "cluster-mode.discovery=kubernetes",
                "cluster-mode.kubernetes.service=app", assignment).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains(message);
                });
        runner.withPropertyValues("cluster-mode.bind=127.0.0.1:7600", "cluster-mode.discovery=kubernetes",
                "cluster-mode.kubernetes.service=App").run(context -> assertThat(messages(
                        context.getStartupFailure())).contains("cluster-mode.kubernetes.service must be a Kubernetes"
                        + " service name"));
    }

    @Test
    void a_bind_beyond_loopback_needs_a_secret_mutual_tls_or_insecure_and_says_which_properties() {
        runner.withPropertyValues("cluster-mode.bind=0.0.0.0:7600").run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("cluster-mode.bind 0.0.0.0:7600 is not a"
                    + " loopback address", "give cluster-mode.cluster-secret-file", "cluster-mode.tls.ca",
                    "set cluster-mode.insecure");
        });
        runner.withPropertyValues("cluster-mode.bind=0.0.0.0:7600", "cluster-mode.insecure=true")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void a_discovery_back_end_missing_from_the_class_path_is_named_with_its_module() {
        runner.withClassLoader(new FilteredClassLoader(DnsDiscovery.class))
                .withPropertyValues("cluster-mode.bind=127.0.0.1:7600", "cluster-mode.discovery=dns",
                        "cluster-mode.dns.name=app.example")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("cluster-mode.discovery=dns needs the module io.clustermode:cluster-mode-discovery-dns"));
        runner.withClassLoader(new FilteredClassLoader(KubernetesDiscovery.class))
                .withPropertyValues("cluster-mode.bind=127.0.0.1:7600", "cluster-mode.discovery=kubernetes",
                        "cluster-mode.kubernetes.service=app")
                .run(context -> assertThat(messages(context.getStartupFailure())).contains(
                        "cluster-mode.discovery=kubernetes needs the module"
                                + " io.clustermode:cluster-mode-discovery-kubernetes"));
    }

    @Test
    void nothing_is_checked_when_switched_off() {
        runner.withPropertyValues("cluster-mode.enabled=false", "cluster-mode.min-nodes=0")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void the_library_messages_get_the_properties_names_and_the_field_of_the_first() {
        ClusterConfigFactory.Problem problem = ClusterConfigFactory.Problem.of(
                "heartbeatInterval (400 ms) must be at most a third of electionTimeout (1000 ms)");
        assertThat(problem.message()).isEqualTo("cluster-mode.heartbeat-interval (400 ms) must be at most a third of"
                + " cluster-mode.election-timeout (1000 ms)");
        assertThat(problem.field()).isEqualTo("heartbeatInterval");
        assertThat(ClusterConfigFactory.Problem.of("recordTypes (--dns-record-types) must name A, AAAA or both")
                .field()).isEqualTo("dns.recordTypes");
        assertThat(ClusterConfigFactory.Problem.of("tlsCa needs tlsCert and tlsKey").field()).isEqualTo("tls.ca");
        assertThat(ClusterConfigFactory.properties("no option here")).isEqualTo("no option here");
        assertThat(Set.of(ClusterModeProperties.RecordType.values())).hasSize(
                DnsDiscoveryConfig.RecordType.values().length);
        assertThat(List.of(ClusterModeProperties.Discovery.values())).hasSize(3);
    }

    /** The failure and its causes' messages, as one text: what Spring Boot shows of it. */
    static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
