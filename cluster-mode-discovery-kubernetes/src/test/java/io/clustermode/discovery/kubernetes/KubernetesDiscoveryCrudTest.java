package io.clustermode.discovery.kubernetes;

import io.clustermode.discovery.ServiceInstance;
import io.clustermode.discovery.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.clustermode.discovery.kubernetes.Fixtures.NS;
import static io.clustermode.discovery.kubernetes.Fixtures.SERVICE;
import static io.clustermode.discovery.kubernetes.Fixtures.endpoint;
import static io.clustermode.discovery.kubernetes.Fixtures.ids;
import static io.clustermode.discovery.kubernetes.Fixtures.ports;
import static io.clustermode.discovery.kubernetes.Fixtures.ready;
import static io.clustermode.discovery.kubernetes.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link KubernetesDiscovery} against the fabric8 mock API server in CRUD mode: slices are
 * created, changed and deleted, and the watch must bring every change to the cache and to the
 * listeners, with no list in between.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesDiscoveryCrudTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private KubernetesDiscovery discovery;
    private final AtomicInteger changes = new AtomicInteger();

    @AfterEach
    void close() {
        if (discovery != null) {
            discovery.close();
        }
    }

    @Test
    void slices_created_changed_and_deleted_are_followed_through_the_watch() throws Exception {
        discovery = watching(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS));
        assertThat(discovery.instances()).isEmpty();

        slices().resource(slice("cm-a", "IPv4", ports("cluster"),
                ready("cluster-mode-0", "10.0.0.10"),
                endpoint("cluster-mode-1", "10.0.0.11", null, null, null), // unknown readiness: ready
                endpoint("cluster-mode-2", "10.0.0.12", false, true, false), // not ready
                endpoint("cluster-mode-3", "10.0.0.13", true, true, true), // terminating
                endpoint("cluster-mode-4", "10.0.0.14", true, false, false))) // not serving
                .create();
        awaitIds("cluster-mode-0", "cluster-mode-1");

        ServiceInstance first = discovery.instances().get(0);
        assertThat(first.host()).isEqualTo("10.0.0.10");
        assertThat(first.serviceId()).isEqualTo(SERVICE);
        assertThat(first.transportAddress("cluster")).contains("10.0.0.10:7600");
        assertThat(first.port("http")).contains(new ServicePort("http", 8600, "TCP", ""));
        assertThat(first.metadata())
                .containsEntry(KubernetesDiscovery.META_NODE_NAME, "node-cluster-mode-0")
                .containsEntry(KubernetesDiscovery.META_ZONE, "zone-a")
                .containsEntry(KubernetesDiscovery.META_HOSTNAME, "cluster-mode-0")
                .containsEntry(KubernetesDiscovery.META_TARGET_KIND, "Pod")
                .containsEntry(KubernetesDiscovery.META_TARGET_NAME, "cluster-mode-0")
                .containsEntry(KubernetesDiscovery.META_TARGET_NAMESPACE, NS)
                .containsEntry(KubernetesDiscovery.META_TARGET_UID, "uid-cluster-mode-0")
                .containsEntry(KubernetesDiscovery.META_ADDRESS_TYPE, "IPv4");

        // an endpoint becomes not ready, another one ready
        edit("cm-a", slice("cm-a", "IPv4", ports("cluster"),
                endpoint("cluster-mode-0", "10.0.0.10", false, false, false),
                endpoint("cluster-mode-1", "10.0.0.11", null, null, null),
                ready("cluster-mode-2", "10.0.0.12")));
        awaitIds("cluster-mode-1", "cluster-mode-2");

        // one starts terminating
        edit("cm-a", slice("cm-a", "IPv4", ports("cluster"),
                endpoint("cluster-mode-1", "10.0.0.11", true, true, true),
                ready("cluster-mode-2", "10.0.0.12")));
        awaitIds("cluster-mode-2");

        // the cluster port is renamed: no endpoint of the slice is an instance any more, and it is said once
        edit("cm-a", slice("cm-a", "IPv4", ports("raft"), ready("cluster-mode-2", "10.0.0.12")));
        awaitIds();
        assertThat(discovery.warnings()).singleElement().asString()
                .contains("cm-a", "no port named 'cluster'", "'raft' 7600", "--k8s-port-name");
        edit("cm-a", slice("cm-a", "IPv4", ports("cluster"), ready("cluster-mode-2", "10.0.0.12")));
        awaitIds("cluster-mode-2");

        // a second slice comes, then the first goes
        slices().resource(slice("cm-b", "IPv4", ports("cluster"), ready("cluster-mode-5", "10.0.0.15"))).create();
        awaitIds("cluster-mode-2", "cluster-mode-5");
        slices().withName("cm-a").delete();
        awaitIds("cluster-mode-5");
        slices().withName("cm-b").delete();
        awaitIds();
        assertThat(discovery.warnings()).hasSize(1);
    }

    @Test
    void the_watch_calls_the_listener_and_the_cache_answers_without_a_request() throws Exception {
        discovery = watching(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS));
        assertThat(discovery.instances()).isEmpty();
        int before = changes.get();

        slices().resource(slice("cm-a", "IPv4", ports("cluster"), ready("cluster-mode-0", "10.0.0.10"))).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(changes.get()).isGreaterThan(before));

        int requests = server.getRequestCount();
        for (int i = 0; i < 3; i++) {
            assertThat(ids(discovery.instances())).containsExactly("cluster-mode-0");
        }
        assertThat(server.getRequestCount()).as("answered from the watched cache").isEqualTo(requests);

        int beforeDelete = changes.get();
        slices().withName("cm-a").delete();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(changes.get()).isGreaterThan(beforeDelete));
        assertThat(discovery.instances()).isEmpty();
    }

    @Test
    void a_dual_stack_pod_is_one_instance_with_its_ipv4_address() throws Exception {
        slices().resource(slice("cm-v6", "IPv6", ports("cluster"), ready("cluster-mode-0", "fd00::10"),
                ready("cluster-mode-1", "fd00::11"))).create();
        slices().resource(slice("cm-v4", "IPv4", ports("cluster"), ready("cluster-mode-0", "10.0.0.10"))).create();
        discovery = watching(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS));
        List<ServiceInstance> instances = discovery.instances();
        assertThat(ids(instances)).containsExactly("cluster-mode-0", "cluster-mode-1");
        assertThat(instances.get(0).host()).isEqualTo("10.0.0.10");
        assertThat(instances.get(1).host()).isEqualTo("fd00::11");
        assertThat(instances.get(1).transportAddress("cluster")).contains("[fd00::11]:7600");
    }

    @Test
    void an_endpoint_without_a_target_is_known_by_its_address() throws Exception {
        slices().resource(new EndpointSliceBuilder(slice("cm-a", "IPv4", ports("cluster")))
                .addNewEndpoint().withAddresses("10.0.0.99").endEndpoint().build()).create();
        discovery = watching(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS));
        assertThat(ids(discovery.instances())).containsExactly("10.0.0.99");
        assertThat(discovery.instances().get(0).metadata()).containsOnlyKeys(KubernetesDiscovery.META_ADDRESS_TYPE);
    }

    @Test
    void the_namespace_comes_from_the_service_account_when_not_given() throws Exception {
        Path account = Fixtures.serviceAccountDir(dir, "from-file", "cluster-mode");
        client.discovery().v1().endpointSlices().inNamespace("from-file").resource(
                slice("from-file", "cm-a", "IPv4", ports("cluster"), ready("cluster-mode-0", "10.0.0.10"))).create();
        slices().resource(slice("cm-other", "IPv4", ports("cluster"), ready("elsewhere-0", "10.0.1.10"))).create();

        discovery = watching(KubernetesDiscoveryConfig.of(SERVICE).withServiceAccountDir(account));
        assertThat(discovery.namespace()).isEqualTo("from-file");
        assertThat(ids(discovery.instances())).containsExactly("cluster-mode-0");

        KubernetesDiscovery elsewhere = new KubernetesDiscovery(KubernetesDiscoveryConfig.of(SERVICE)
                .withClient(client).withServiceAccountDir(dir.resolve("none")));
        assertThat(elsewhere.namespace()).isEqualTo("default");
        elsewhere.close();
        assertThat(KubernetesDiscovery.namespace(KubernetesDiscoveryConfig.of(SERVICE).withNamespace("given")
                .withServiceAccountDir(account))).isEqualTo("given");
        assertThat(KubernetesDiscovery.serviceAccount(account)).contains("system:serviceaccount:from-file:cluster-mode");
        assertThat(KubernetesDiscovery.serviceAccount(dir.resolve("none"))).isEmpty();
    }

    @Test
    void after_the_resync_period_the_slices_are_listed_again() throws Exception {
        slices().resource(slice("cm-a", "IPv4", ports("cluster"), ready("cluster-mode-0", "10.0.0.10"))).create();
        discovery = watching(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS)
                .withResyncPeriod(Duration.ofMillis(200)));
        assertThat(ids(discovery.instances())).containsExactly("cluster-mode-0");
        int requests = server.getRequestCount();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(ids(discovery.instances())).containsExactly("cluster-mode-0");
            assertThat(server.getRequestCount()).as("a list and a watch again").isGreaterThanOrEqualTo(requests + 2);
        });
    }

    @Test
    void a_closed_discovery_calls_no_listener_and_refuses_to_answer() throws Exception {
        discovery = watching(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS));
        discovery.instances();
        discovery.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(discovery::instances)
                .isInstanceOf(IllegalStateException.class);
        assertThat(client.getHttpClient().isClosed()).as("a client given is the caller's to close").isFalse();
    }

    private KubernetesDiscovery watching(KubernetesDiscoveryConfig config) {
        KubernetesDiscovery created = new KubernetesDiscovery(config.withClient(client));
        created.onChange(changes::incrementAndGet);
        return created;
    }

    /** Waits until the watch has brought the change: instances() answers from the cache. */
    private void awaitIds(String... expected) {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ids(discovery.instances())).containsExactly(expected));
    }

    private void edit(String name, EndpointSlice replacement) {
        int before = changes.get();
        slices().withName(name).edit(old -> new EndpointSliceBuilder(replacement)
                .editMetadata().withResourceVersion(old.getMetadata().getResourceVersion()).endMetadata().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(changes.get())
                .as("the watch reports the change to the listener").isGreaterThan(before));
    }

    private NonNamespaceOperation<EndpointSlice, EndpointSliceList, Resource<EndpointSlice>> slices() {
        return client.discovery().v1().endpointSlices().inNamespace(NS);
    }
}
