package io.clustermode.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.clustermode.discovery.kubernetes.Fixtures.SERVICE;
import static io.clustermode.discovery.kubernetes.Fixtures.ids;
import static io.clustermode.discovery.kubernetes.Fixtures.ports;
import static io.clustermode.discovery.kubernetes.Fixtures.ready;
import static io.clustermode.discovery.kubernetes.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link KubernetesDiscovery} configured exactly as in a pod: no client given, so fabric8
 * configures itself from the in-cluster settings (its {@code tryServiceAccount} path): the API
 * server's host and port as {@code KUBERNETES_SERVICE_HOST}/{@code KUBERNETES_SERVICE_PORT}
 * give them, the service account's {@code token}, {@code ca.crt} and {@code namespace} files,
 * here in a temporary directory. The API server is the fabric8 mock in CRUD mode behind an
 * HTTPS front whose certificate the test's CA signed ({@link TlsFront}, {@link TestCa}); the
 * mock refuses (401) any request without the service account's bearer token.
 *
 * <p>The environment of a running JVM cannot be changed, so the in-cluster settings are given
 * as the system properties fabric8 reads before the environment variables of the same name
 * ({@code Utils.getSystemPropertyOrEnvVar}): {@code KUBERNETES_SERVICE_HOST},
 * {@code KUBERNETES_SERVICE_PORT}, and for the files, which a pod has at
 * {@code /var/run/secrets/kubernetes.io/serviceaccount/}, {@code kubernetes.auth.serviceAccount.token},
 * {@code kubernetes.certs.ca.file} and {@code kubenamespace}. They are set only while the
 * discovery builds its client and restored at once.
 */
class KubernetesDiscoveryInClusterHttpsTest {

    private static final String NAMESPACE = "team-a";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private TestCa ca;
    private String token;
    private TokenRequired dispatcher;
    private KubernetesMockServer server;
    private TlsFront front;
    private KubernetesClient admin;
    private KubernetesDiscovery discovery;

    @BeforeEach
    void apiServer() throws Exception {
        ca = new TestCa("kubernetes test CA");
        Fixtures.serviceAccountDir(dir, NAMESPACE, "cluster-mode");
        token = Files.readString(dir.resolve("token"), StandardCharsets.US_ASCII);
        ca.writeCertificate(dir.resolve("ca.crt"));

        dispatcher = new TokenRequired("Bearer " + token);
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
                new HashMap<>(), dispatcher, false);
        server.init();
        front = new TlsFront(ca.serverContext(), server.getPort());
        // the test's own client, which fills the API server: plain HTTP straight to the mock
        admin = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(server.url("/").toString()).withOauthToken(token).withNamespace(NAMESPACE)
                .build()).build();
    }

    @AfterEach
    void close() {
        if (discovery != null) {
            discovery.close();
        }
        admin.close();
        front.close();
        server.destroy();
    }

    @Test
    void lists_and_watches_the_slices_over_https_with_the_token_in_the_namespace_of_the_file() throws Exception {
        slices(NAMESPACE).resource(slice(NAMESPACE, "cm-a", "IPv4", ports("cluster"),
                ready("cluster-mode-0", "10.0.0.10"))).create();
        slices("default").resource(slice("default", "cm-elsewhere", "IPv4", ports("cluster"),
                ready("cluster-mode-9", "10.0.0.99"))).create();

        discovery = inCluster(Map.of());
        assertThat(discovery.namespace()).as("from the namespace file").isEqualTo(NAMESPACE);
        AtomicInteger changes = new AtomicInteger();
        discovery.onChange(changes::incrementAndGet);

        assertThat(ids(discovery.instances())).containsExactly("cluster-mode-0");

        slices(NAMESPACE).resource(slice(NAMESPACE, "cm-b", "IPv4", ports("cluster"),
                ready("cluster-mode-1", "10.0.0.11"))).create();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(changes.get()).as("the watch over HTTPS reports the change").isPositive();
            assertThat(ids(discovery.instances())).containsExactly("cluster-mode-0", "cluster-mode-1");
        });

        List<String> discoveryRequests = dispatcher.authorized.stream()
                .filter(path -> path.contains("labelSelector=kubernetes.io%2Fservice-name%3D" + SERVICE)).toList();
        assertThat(discoveryRequests).as("the discovery's list and watch, all with the bearer token")
                .anyMatch(path -> path.startsWith("/apis/discovery.k8s.io/v1/namespaces/" + NAMESPACE
                        + "/endpointslices?labelSelector") && !path.contains("watch=true"))
                .anyMatch(path -> path.contains("watch=true"));
        assertThat(dispatcher.refused).as("requests without the token").isEmpty();
    }

    @Test
    void an_api_server_whose_certificate_the_ca_file_does_not_trust_is_refused() throws Exception {
        slices(NAMESPACE).resource(slice(NAMESPACE, "cm-a", "IPv4", ports("cluster"),
                ready("cluster-mode-0", "10.0.0.10"))).create();
        new TestCa("another CA").writeCertificate(dir.resolve("ca.crt"));
        int requests = server.getRequestCount();

        // an I/O failure is retried ten times with a growing back-off by default (some 20 s): not here
        discovery = inCluster(Map.of(Config.KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT_SYSTEM_PROPERTY, "0"));
        for (int poll = 0; poll < 2; poll++) {
            KubernetesDiscoveryException e = catchThrowableOfType(KubernetesDiscoveryException.class,
                    discovery::instances);
            assertThat(e).as("poll %d", poll).isNotNull();
            assertThat(e.getMessage()).startsWith("Kubernetes discovery of service '" + SERVICE + "': listing"
                    + " endpointslices.discovery.k8s.io in namespace '" + NAMESPACE + "' failed: ");
            assertThat(e).hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
            assertThat(chain(e)).anyMatch(SSLHandshakeException.class::isInstance);
        }
        assertThat(discovery.warnings()).as("logged once").hasSize(1);
        assertThat(server.getRequestCount()).as("no request got through").isEqualTo(requests);
        assertThat(dispatcher.refused).isEmpty();
    }

    @Test
    void a_token_the_api_server_does_not_accept_is_refused_with_401() throws Exception {
        Files.writeString(dir.resolve("token"), "not-the-token");
        discovery = inCluster(Map.of());
        KubernetesDiscoveryException e = catchThrowableOfType(KubernetesDiscoveryException.class,
                discovery::instances);
        assertThat(e.code()).isEqualTo(401);
        assertThat(dispatcher.refused).as("the mock saw the request, without the right token").isNotEmpty();
        assertThat(dispatcher.authorized).noneMatch(path -> path.contains("labelSelector"));
    }

    @Test
    void a_certificate_of_the_ca_for_another_host_is_refused() throws Exception {
        front.close();
        front = new TlsFront(ca.serverContext(new GeneralName(GeneralName.dNSName, "kubernetes.example")),
                server.getPort());
        discovery = inCluster(Map.of(Config.KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT_SYSTEM_PROPERTY, "0"));
        KubernetesDiscoveryException e = catchThrowableOfType(KubernetesDiscoveryException.class,
                discovery::instances);
        assertThat(e).as("the host name is verified").isNotNull();
        assertThat(chain(e)).anyMatch(SSLHandshakeException.class::isInstance);
        assertThat(dispatcher.authorized).noneMatch(path -> path.contains("labelSelector"));
    }

    @Test
    void a_403_over_https_names_the_missing_rule() throws Exception {
        dispatcher.forbidden = "endpointslices.discovery.k8s.io is forbidden: User"
                + " \"system:serviceaccount:team-a:cluster-mode\" cannot list resource \"endpointslices\" in API"
                + " group \"discovery.k8s.io\" in the namespace \"team-a\"";
        discovery = inCluster(Map.of());
        KubernetesDiscoveryException e = catchThrowableOfType(KubernetesDiscoveryException.class,
                discovery::instances);
        assertThat(e.code()).isEqualTo(403);
        assertThat(e).hasMessage("forbidden (HTTP 403) to list endpointslices.discovery.k8s.io in namespace"
                + " 'team-a': a missing RBAC rule, see the warning logged");
        assertThat(discovery.warnings()).singleElement().asString().contains(
                "system:serviceaccount:team-a:cluster-mode may not list endpointslices in namespace 'team-a'",
                "{apiGroups: [\"discovery.k8s.io\"], resources: [\"endpointslices\"], verbs: [\"get\", \"list\", \"watch\"]}",
                dispatcher.forbidden);
        assertThat(dispatcher.refused).isEmpty();

        // the rule is granted: the next poll works, over the same HTTPS client
        dispatcher.forbidden = null;
        slices(NAMESPACE).resource(slice(NAMESPACE, "cm-a", "IPv4", ports("cluster"),
                ready("cluster-mode-0", "10.0.0.10"))).create();
        assertThat(ids(discovery.instances())).containsExactly("cluster-mode-0");
    }

    @Test
    void three_nodes_form_one_cluster_through_the_in_cluster_discovery_over_https() throws Exception {
        slices(NAMESPACE).resource(slice(NAMESPACE, "cm-a", "IPv4", ports("cluster"),
                ready("cluster-mode-0", "10.0.0.10"), ready("cluster-mode-1", "10.0.0.11"),
                ready("cluster-mode-2", "10.0.0.12"))).create();
        io.clustermode.transport.InMemoryNetwork network = new io.clustermode.transport.InMemoryNetwork();
        List<io.clustermode.Cluster<Void, io.clustermode.StateMachine<Void>>> nodes = new java.util.ArrayList<>();
        List<KubernetesDiscovery> discoveries = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                KubernetesDiscovery pod = inCluster(Map.of());
                discoveries.add(pod);
                String address = "10.0.0.1" + i + ":7600";
                nodes.add(io.clustermode.Cluster.start(io.clustermode.ClusterConfig.builder()
                        .nodeId(io.clustermode.NodeId.of("cluster-mode-" + i))
                        .advertise(address).bind("127.0.0.1:0").dataDir(dir.resolve("node-" + i))
                        .discovery(pod).minNodes(3).voters(3)
                        .heartbeatInterval(Duration.ofMillis(30)).electionTimeout(Duration.ofMillis(200))
                        .updateInterval(Duration.ofMillis(100)).connectionTimeout(Duration.ofMillis(500))
                        .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                        .build()));
            }
            await().atMost(PATIENCE).untilAsserted(() -> {
                var primary = nodes.stream().filter(io.clustermode.Cluster::isPrimary).findFirst();
                assertThat(primary).isPresent();
                assertThat(primary.get().members()).hasSize(3).allMatch(io.clustermode.Member::voter);
                assertThat(nodes).allMatch(n -> n.primary().equals(primary.get().primary()));
            });
            assertThat(dispatcher.refused).as("every request of the three carried the token").isEmpty();
            assertThat(dispatcher.authorized).anyMatch(path -> path.startsWith("/apis/discovery.k8s.io/v1/namespaces/"
                    + NAMESPACE + "/endpointslices?labelSelector"));
        } finally {
            nodes.forEach(io.clustermode.Cluster::close);
            discoveries.forEach(KubernetesDiscovery::close);
        }
    }

    /**
     * The discovery as a pod builds it: no client, the service account directory; fabric8's
     * in-cluster settings pointed at the temporary directory while its client is built.
     */
    private KubernetesDiscovery inCluster(Map<String, String> more) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        settings.put("KUBERNETES_SERVICE_PORT", String.valueOf(front.port()));
        settings.put(Config.KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN_FILE_SYSTEM_PROPERTY, dir.resolve("token").toString());
        settings.put(Config.KUBERNETES_CA_CERTIFICATE_FILE_SYSTEM_PROPERTY, dir.resolve("ca.crt").toString());
        settings.put(Config.KUBERNETES_NAMESPACE_FILE, dir.resolve("namespace").toString());
        settings.put(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false"); // a developer's ~/.kube/config
        settings.putAll(more);
        Map<String, String> saved = new HashMap<>();
        settings.forEach((key, value) -> saved.put(key, System.setProperty(key, value)));
        try {
            return new KubernetesDiscovery(KubernetesDiscoveryConfig.of(SERVICE).withServiceAccountDir(dir));
        } finally {
            saved.forEach((key, value) -> {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            });
        }
    }

    private NonNamespaceOperation<EndpointSlice, EndpointSliceList, Resource<EndpointSlice>> slices(String namespace) {
        return admin.discovery().v1().endpointSlices().inNamespace(namespace);
    }

    private static List<Throwable> chain(Throwable e) {
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /**
     * The CRUD API server, refusing (401) a request without the bearer token, and answering 403
     * to the discovery's list while {@link #forbidden} says why.
     */
    private static final class TokenRequired extends KubernetesCrudDispatcher {

        private final String authorization;
        final List<String> authorized = new CopyOnWriteArrayList<>();
        final List<String> refused = new CopyOnWriteArrayList<>();
        volatile String forbidden;

        TokenRequired(String authorization) {
            this.authorization = authorization;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (!authorization.equals(request.getHeader("Authorization"))) {
                refused.add(request.getPath());
                return new MockResponse().setResponseCode(401).setBody(Serialization.asJson(
                        Fixtures.status(401, "Unauthorized", "Unauthorized")));
            }
            authorized.add(request.getPath());
            String why = forbidden;
            if (why != null && request.getPath().contains("/endpointslices?labelSelector")) {
                return new MockResponse().setResponseCode(403).setBody(Serialization.asJson(
                        Fixtures.status(403, "Forbidden", why)));
            }
            return super.dispatch(request);
        }
    }
}
