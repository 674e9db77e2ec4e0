package io.clustermode.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceListBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.clustermode.discovery.kubernetes.Fixtures.NS;
import static io.clustermode.discovery.kubernetes.Fixtures.SERVICE;
import static io.clustermode.discovery.kubernetes.Fixtures.ids;
import static io.clustermode.discovery.kubernetes.Fixtures.ports;
import static io.clustermode.discovery.kubernetes.Fixtures.ready;
import static io.clustermode.discovery.kubernetes.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link KubernetesDiscovery} against an API server that refuses or fails (the fabric8 mock
 * server with expectations): the warning comes once, every poll throws a short message.
 */
@EnableKubernetesMockClient(https = false)
class KubernetesDiscoveryFailureTest {

    private static final String FORBIDDEN_SLICES = "endpointslices.discovery.k8s.io is forbidden: User"
            + " \"system:serviceaccount:ns:someone\" cannot list resource \"endpointslices\" in API group"
            + " \"discovery.k8s.io\" in the namespace \"ns\"";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private KubernetesDiscovery discovery;

    @AfterEach
    void close() {
        if (discovery != null) {
            discovery.close();
        }
    }

    @Test
    void a_403_on_the_slices_names_the_missing_rule_once_and_every_poll_throws() throws Exception {
        server.expect().get().withPath(Fixtures.SLICES_LIST)
                .andReturn(403, Fixtures.status(403, "Forbidden", FORBIDDEN_SLICES)).always();
        discovery = new KubernetesDiscovery(KubernetesDiscoveryConfig.of(SERVICE).withClient(client)
                .withServiceAccountDir(Fixtures.serviceAccountDir(dir, NS, "cluster-mode")));

        for (int poll = 0; poll < 5; poll++) {
            KubernetesDiscoveryException e = catchThrowableOfType(KubernetesDiscoveryException.class,
                    discovery::instances);
            assertThat(e.code()).isEqualTo(403);
            assertThat(e).hasMessage("forbidden (HTTP 403) to list endpointslices.discovery.k8s.io in namespace 'ns':"
                    + " a missing RBAC rule, see the warning logged");
        }
        assertThat(discovery.warnings()).singleElement().asString().contains(
                "forbidden (HTTP 403)",
                "system:serviceaccount:ns:cluster-mode may not list endpointslices",
                "verbs list and watch on endpointslices in API group \"discovery.k8s.io\", namespace 'ns'",
                "{apiGroups: [\"discovery.k8s.io\"], resources: [\"endpointslices\"], verbs: [\"get\", \"list\", \"watch\"]}",
                "RoleBinding", "deploy/kubernetes/rbac.yaml", FORBIDDEN_SLICES);

        // the rule is granted: the next poll works
        server.clearExpectations();
        server.expect().get().withPath(Fixtures.SLICES_LIST).andReturn(200, new EndpointSliceListBuilder()
                .withMetadata(new ListMetaBuilder().withResourceVersion("7").build())
                .addToItems(slice("cm-a", "IPv4", ports("cluster"), ready("cluster-mode-0", "10.0.0.10"))).build())
                .always();
        server.expect().get().withPath(watchPath("7")).andUpgradeToWebSocket().open().done().always();
        assertThat(ids(discovery.instances())).containsExactly("cluster-mode-0");
        assertThat(discovery.warnings()).hasSize(1);
    }

    @Test
    void without_a_service_account_token_the_user_of_the_refusal_is_named() throws Exception {
        server.expect().get().withPath(Fixtures.SLICES_LIST)
                .andReturn(403, Fixtures.status(403, "Forbidden", FORBIDDEN_SLICES)).always();
        discovery = new KubernetesDiscovery(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS).withClient(client)
                .withServiceAccountDir(dir));
        catchThrowableOfType(KubernetesDiscoveryException.class, discovery::instances);
        assertThat(discovery.warnings()).singleElement().asString()
                .contains("system:serviceaccount:ns:someone may not list endpointslices");
    }

    @Test
    void a_403_on_the_endpoints_fallback_names_the_core_group() throws Exception {
        server.expect().get().withPath(Fixtures.SLICES_LIST)
                .andReturn(404, Fixtures.status(404, "NotFound", "the server could not find the requested resource"))
                .always();
        server.expect().get().withPath(Fixtures.ENDPOINTS_LIST)
                .andReturn(403, Fixtures.status(403, "Forbidden", "endpoints is forbidden")).always();
        discovery = new KubernetesDiscovery(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS).withClient(client)
                .withServiceAccountDir(Fixtures.serviceAccountDir(dir, NS, "cluster-mode")));
        for (int poll = 0; poll < 3; poll++) {
            KubernetesDiscoveryException e = catchThrowableOfType(KubernetesDiscoveryException.class,
                    discovery::instances);
            assertThat(e).hasMessageContaining("forbidden (HTTP 403) to list endpoints in namespace 'ns'");
        }
        assertThat(discovery.usesEndpoints()).isTrue();
        assertThat(discovery.warnings()).singleElement().asString().contains(
                "may not list endpoints in namespace 'ns'",
                "in the core API group \"\"",
                "{apiGroups: [\"\"], resources: [\"endpoints\"], verbs: [\"get\", \"list\", \"watch\"]}");
    }

    @Test
    void a_watch_refused_falls_back_to_listing_at_every_poll_said_once() throws Exception {
        server.expect().get().withPath(Fixtures.SLICES_LIST).andReturn(200, new EndpointSliceListBuilder()
                .withMetadata(new ListMetaBuilder().withResourceVersion("3").build())
                .addToItems(slice("cm-a", "IPv4", ports("cluster"), ready("cluster-mode-0", "10.0.0.10"))).build())
                .always();
        server.expect().get().withPath(watchPath("3"))
                .andReturn(403, Fixtures.status(403, "Forbidden", "cannot watch")).always();
        discovery = new KubernetesDiscovery(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS).withClient(client)
                .withServiceAccountDir(Fixtures.serviceAccountDir(dir, NS, "cluster-mode")));
        for (int poll = 0; poll < 3; poll++) {
            assertThat(ids(discovery.instances())).containsExactly("cluster-mode-0");
        }
        assertThat(discovery.warnings()).singleElement().asString()
                .contains("may not watch endpointslices", "verbs list and watch");
    }

    @Test
    void a_server_error_is_thrown_and_logged_once() throws Exception {
        server.expect().get().withPath(Fixtures.SLICES_LIST)
                .andReturn(500, Fixtures.status(500, "InternalError", "etcd is sad")).always();
        // the client retries a 5xx ten times with a growing back-off by default (some 20 s): not here
        try (KubernetesClient impatient = new KubernetesClientBuilder().withConfig(
                new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build()) {
            discovery = new KubernetesDiscovery(KubernetesDiscoveryConfig.of(SERVICE).withNamespace(NS)
                    .withClient(impatient));
            for (int poll = 0; poll < 3; poll++) {
                KubernetesDiscoveryException e = catchThrowableOfType(KubernetesDiscoveryException.class,
                        discovery::instances);
                assertThat(e.code()).isEqualTo(500);
                assertThat(e).hasMessage("Kubernetes discovery of service 'cluster-mode': listing"
                        + " endpointslices.discovery.k8s.io in namespace 'ns' failed: HTTP 500, etcd is sad");
            }
            assertThat(discovery.warnings()).hasSize(1);
        }
    }

    private static String watchPath(String resourceVersion) {
        return Fixtures.SLICES_PATH + "?allowWatchBookmarks=true&labelSelector=kubernetes.io%2Fservice-name%3D"
                + SERVICE + "&resourceVersion=" + resourceVersion + "&watch=true";
    }
}
