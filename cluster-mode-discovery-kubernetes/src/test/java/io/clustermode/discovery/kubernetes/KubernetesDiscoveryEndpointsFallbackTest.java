package io.clustermode.discovery.kubernetes;

import io.clustermode.discovery.ServiceInstance;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.clustermode.discovery.kubernetes.Fixtures.NS;
import static io.clustermode.discovery.kubernetes.Fixtures.SERVICE;
import static io.clustermode.discovery.kubernetes.Fixtures.address;
import static io.clustermode.discovery.kubernetes.Fixtures.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Kubernetes API without EndpointSlices (404 on their list, an expectation in front of the
 * mock server's CRUD mode): the Endpoints object named after the service is used, and watched.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesDiscoveryEndpointsFallbackTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    KubernetesMockServer server;
    KubernetesClient client;

    private KubernetesDiscovery discovery;
    private final AtomicInteger changes = new AtomicInteger();

    @BeforeEach
    void noEndpointSlices() {
        server.expect().get().withPath(Fixtures.SLICES_LIST)
                .andReturn(404, Fixtures.status(404, "NotFound", "the server could not find the requested resource"))
                .always();
    }

    @AfterEach
    void close() {
        if (discovery != null) {
            discovery.close();
        }
    }

    @Test
    void the_ready_addresses_of_the_endpoints_are_the_instances_and_are_watched() throws Exception {
        client.endpoints().inNamespace(NS).resource(endpoints(
                List.of(address("cluster-mode-0", "10.0.0.10")),
                List.of(address("cluster-mode-1", "10.0.0.11")))).create();
        // another service's endpoints are not looked at
        client.endpoints().inNamespace(NS).resource(new EndpointsBuilder(endpoints(
                List.of(address("other-0", "10.0.9.9")), List.of())).editMetadata().withName("other").endMetadata()
                .build()).create();

        discovery = new KubernetesDiscovery(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS).withClient(client));
        discovery.onChange(changes::incrementAndGet);
        List<ServiceInstance> instances = discovery.instances();
        assertThat(discovery.usesEndpoints()).isTrue();
        assertThat(ids(instances)).as("notReadyAddresses left out").containsExactly("cluster-mode-0");
        ServiceInstance first = instances.get(0);
        assertThat(first.transportAddress("cluster")).contains("10.0.0.10:7600");
        assertThat(first.metadata()).containsEntry(KubernetesDiscovery.META_NODE_NAME, "node-cluster-mode-0")
                .containsEntry(KubernetesDiscovery.META_HOSTNAME, "cluster-mode-0")
                .containsEntry(KubernetesDiscovery.META_TARGET_NAME, "cluster-mode-0");

        // the second pod becomes ready
        int before = changes.get();
        client.endpoints().inNamespace(NS).withName(SERVICE).edit(old -> new EndpointsBuilder(endpoints(
                List.of(address("cluster-mode-0", "10.0.0.10"), address("cluster-mode-1", "10.0.0.11")), List.of()))
                .editMetadata().withResourceVersion(old.getMetadata().getResourceVersion()).endMetadata().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(changes.get()).isGreaterThan(before));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ids(discovery.instances()))
                .containsExactly("cluster-mode-0", "cluster-mode-1"));

        // the service goes away: no instances (a successful answer, unlike a failure)
        client.endpoints().inNamespace(NS).withName(SERVICE).delete();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(discovery.instances()).isEmpty());
        assertThat(discovery.warnings()).isEmpty();
        assertThat(discovery).asString().contains("via Endpoints");
    }

    private static Endpoints endpoints(List<io.fabric8.kubernetes.api.model.EndpointAddress> ready,
                                       List<io.fabric8.kubernetes.api.model.EndpointAddress> notReady) {
        return new EndpointsBuilder().withNewMetadata().withName(SERVICE).withNamespace(NS).endMetadata()
                .addNewSubset().withAddresses(ready).withNotReadyAddresses(notReady)
                .addNewPort().withName("cluster").withPort(7600).withProtocol("TCP").endPort()
                .addNewPort().withName("http").withPort(8600).withProtocol("TCP").endPort()
                .endSubset().build();
    }
}
