package io.clustermode.cli;

import io.clustermode.discovery.kubernetes.PrimaryLabel;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code cluster-mode node --discovery kubernetes --k8s-label-primary} as a process, against the
 * fabric8 mock API server: a one-node cluster finds itself through an EndpointSlice, becomes
 * primary and labels its pod {@code primary}; stopped with SIGTERM, it labels the pod
 * {@code secondary} as it goes.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class PrimaryLabelIT {

    private static final String NS = "test";
    private static final Map<String, String> APP = Map.of("app.kubernetes.io/name", "cm");
    /** The mock server logs every request at INFO through java.util.logging: only problems are of interest. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    @Test
    void a_node_labels_its_pod_primary_and_secondary_again_when_it_stops() throws Exception {
        int transport = NodeProcesses.freePort();
        int http = NodeProcesses.freePort();
        client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("cm").endMetadata()
                .withNewSpec().withSelector(APP).withClusterIP("None").endSpec().build()).create();
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("n0").withLabels(APP)
                .endMetadata().build()).create();
        client.discovery().v1().endpointSlices().inNamespace(NS).resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("cm-1").addToLabels("kubernetes.io/service-name", "cm").endMetadata()
                .withAddressType("IPv4")
                .withPorts(new EndpointPortBuilder().withName("cluster").withPort(transport).withProtocol("TCP").build())
                .withEndpoints(new EndpointBuilder().withAddresses("127.0.0.1")
                        .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                        .withNewTargetRef().withKind("Pod").withName("n0").withNamespace(NS).endTargetRef().build())
                .build()).create();

        ProcessBuilder builder = NodeProcesses.PROGRAM.processBuilder(List.of("node", "--node-id", "n0",
                "--bind", "127.0.0.1:" + transport, "--http", "127.0.0.1:" + http, "--data-dir",
                dir.resolve("n0").toString(), "--discovery", "kubernetes", "--k8s-service", "cm",
                "--k8s-namespace", NS, "--min-nodes", "1", "--update-interval", "200", "--k8s-label-primary"));
        Map<String, String> env = builder.environment();
        env.put("KUBERNETES_MASTER", client.getMasterUrl().toString());
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        env.put("KUBERNETES_NAMESPACE", NS);
        env.put("POD_NAME", "n0");
        Process node = builder.redirectOutput(dir.resolve("n0.out").toFile())
                .redirectError(dir.resolve("n0.err").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> "primary".equals(label()) || !node.isAlive());
            assertThat(node.isAlive()).as(() -> stderr()).isTrue();
            assertThat(label()).isEqualTo(PrimaryLabel.PRIMARY);

            node.destroy(); // SIGTERM: the launcher execs the JVM, so the node gets it
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).as(() -> stderr()).isZero();
            assertThat(label()).isEqualTo(PrimaryLabel.SECONDARY);
        } finally {
            node.destroyForcibly();
        }
    }

    private String label() {
        Map<String, String> labels = client.pods().inNamespace(NS).withName("n0").get().getMetadata().getLabels();
        return labels == null ? null : labels.get(PrimaryLabel.LABEL);
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("n0.err"));
        } catch (java.io.IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }
}
