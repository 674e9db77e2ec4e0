package io.clustermode.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The files of {@code deploy/kubernetes} parse as Kubernetes objects (no unknown field: a typo
 * would land in "additional properties") and agree with what the discovery code needs.
 */
class DeploymentFilesTest {

    private static final Path DIR = Path.of("..", "deploy", "kubernetes");

    /** The flags of the command line contract. */
    private static final Set<String> FLAGS = Set.of("--node-id", "--cluster-name", "--bind", "--advertise", "--http",
            "--data-dir", "--discovery", "--seeds", "--dns-name", "--dns-server", "--dns-port", "--dns-srv",
            "--k8s-service", "--k8s-namespace", "--k8s-port-name", "--min-nodes", "--max-nodes", "--voters",
            "--heartbeat-interval", "--election-timeout", "--update-interval", "--connection-timeout",
            "--request-timeout", "--tls-cert", "--tls-key", "--tls-ca", "--cluster-secret-file", "--insecure",
            "--http-token-file", "--http-tls-cert", "--http-tls-key", "--http-insecure", "--kv-max-bytes",
            "--k8s-label-primary");

    @Test
    void the_roles_grant_exactly_reading_endpointslices_and_endpoints_and_labelling_pods_to_the_pods_account()
            throws IOException {
        List<HasMetadata> objects = load("rbac.yaml");
        ServiceAccount account = only(objects, ServiceAccount.class);
        Role discovery = named(objects, Role.class, "cluster-mode-discovery");
        Role label = named(objects, Role.class, "cluster-mode-primary-label");

        assertThat(discovery.getRules()).extracting(PolicyRule::getApiGroups, PolicyRule::getResources,
                        PolicyRule::getVerbs)
                .containsExactlyInAnyOrder(
                        tuple(List.of("discovery.k8s.io"), List.of("endpointslices"), List.of("get", "list", "watch")),
                        tuple(List.of(""), List.of("endpoints"), List.of("get", "list", "watch")));
        // what PrimaryLabel does: get/list/patch pods, get the service whose selector names the pods
        assertThat(label.getRules()).extracting(PolicyRule::getApiGroups, PolicyRule::getResources,
                        PolicyRule::getResourceNames, PolicyRule::getVerbs)
                .containsExactlyInAnyOrder(
                        tuple(List.of(""), List.of("pods"), List.of(), List.of("get", "list", "patch")),
                        tuple(List.of(""), List.of("services"), List.of("cluster-mode"), List.of("get")));
        for (Role role : List.of(discovery, label)) {
            RoleBinding binding = objects.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
                    .filter(b -> b.getRoleRef().getName().equals(role.getMetadata().getName())).findFirst()
                    .orElseThrow(() -> new AssertionError("no binding of " + role.getMetadata().getName()));
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            });
        }
        StatefulSet statefulSet = only(load("statefulset.yaml"), StatefulSet.class);
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(account.getMetadata().getName());
    }

    @Test
    void the_service_is_headless_publishes_not_ready_pods_and_names_the_cluster_port() throws IOException {
        Service service = only(load("service.yaml"), Service.class);
        assertThat(service.getMetadata().getName()).isEqualTo("cluster-mode");
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort)
                .containsExactly(tuple(KubernetesDiscoveryConfig.DEFAULT_PORT_NAME, 7600), tuple("http", 8600));
        assertThat(service.getAdditionalProperties()).isEmpty();
        assertThat(service.getSpec().getAdditionalProperties()).isEmpty();
    }

    @Test
    void the_kubernetes_statefulset_runs_three_nodes_discovering_through_the_api_and_labelling_the_primary()
            throws IOException {
        StatefulSet statefulSet = only(load("statefulset.yaml"), StatefulSet.class);
        Map<String, String> args = commonChecks(statefulSet);
        assertThat(args).containsEntry("--discovery", "kubernetes").containsEntry("--k8s-service", "cluster-mode")
                .containsEntry("--k8s-port-name", KubernetesDiscoveryConfig.DEFAULT_PORT_NAME)
                .containsEntry("--k8s-label-primary", "");
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("POD_NAME"); // the labeller's name for its pod
                    assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
                });
    }

    @Test
    void the_primary_service_selects_the_cluster_pods_labelled_primary() throws IOException {
        Service primary = only(load("service-primary.yaml"), Service.class);
        Service cluster = only(load("service.yaml"), Service.class);
        assertThat(primary.getMetadata().getName()).isEqualTo("cluster-mode-primary");
        Map<String, String> expected = new java.util.HashMap<>(cluster.getSpec().getSelector());
        expected.put(PrimaryLabel.LABEL, PrimaryLabel.PRIMARY);
        assertThat(primary.getSpec().getSelector()).isEqualTo(expected);
        assertThat(primary.getSpec().getClusterIP()).isNull(); // a normal ClusterIP service: one address, the primary
        assertThat(primary.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort)
                .containsExactly(tuple("http", 8600));
        assertThat(primary.getAdditionalProperties()).isEmpty();
        assertThat(primary.getSpec().getAdditionalProperties()).isEmpty();
    }

    @Test
    void the_dns_statefulset_needs_no_api_access() throws IOException {
        StatefulSet statefulSet = only(load("statefulset-dns.yaml"), StatefulSet.class);
        Map<String, String> args = commonChecks(statefulSet);
        PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isNull();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(args).containsEntry("--discovery", "dns")
                .containsEntry("--dns-name", "cluster-mode.$(POD_NAMESPACE).svc.cluster.local")
                .containsEntry("--dns-port", "7600");
        assertThat(pod.getContainers().get(0).getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("POD_NAMESPACE");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        });
    }

    @Test
    void the_disruption_budget_keeps_a_quorum() throws IOException {
        PodDisruptionBudget budget = only(load("pdb.yaml"), PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "cluster-mode");
    }

    /** What both StatefulSets share; returns the container's flags. */
    private static Map<String, String> commonChecks(StatefulSet statefulSet) {
        assertThat(statefulSet.getAdditionalProperties()).isEmpty();
        assertThat(statefulSet.getSpec().getAdditionalProperties()).isEmpty();
        assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(3);
        assertThat(statefulSet.getSpec().getServiceName()).isEqualTo("cluster-mode");
        assertThat(statefulSet.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(statefulSet.getSpec().getSelector().getMatchLabels())
                .isEqualTo(statefulSet.getSpec().getTemplate().getMetadata().getLabels());
        PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        assertThat(pod.getAdditionalProperties()).isEmpty();
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        Container container = pod.getContainers().get(0);
        assertThat(container.getAdditionalProperties()).isEmpty();
        assertThat(container.getImage()).isEqualTo("cluster-mode:latest");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(container.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly("cluster:7600", "http:8600");
        assertThat(container.getVolumeMounts()).hasSize(2);
        assertThat(container.getVolumeMounts().get(0)).satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/data");
            assertThat(statefulSet.getSpec().getVolumeClaimTemplates()).extracting(c -> c.getMetadata().getName())
                    .containsExactly(m.getName());
        });
        // The cluster secret comes from a Secret, mounted read-only and readable by the owner only.
        assertThat(container.getVolumeMounts().get(1)).satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/etc/cluster-mode");
            assertThat(m.getReadOnly()).isTrue();
            assertThat(pod.getVolumes()).singleElement().satisfies(v -> {
                assertThat(v.getName()).isEqualTo(m.getName());
                assertThat(v.getSecret().getSecretName()).isEqualTo("cluster-mode");
                assertThat(v.getSecret().getDefaultMode()).isEqualTo(0400);
            });
        });

        List<String> args = container.getArgs();
        assertThat(args.get(0)).isEqualTo("node");
        Map<String, String> flags = args.subList(1, args.size()).stream()
                .map(a -> a.split("=", 2))
                .collect(Collectors.toMap(a -> a[0], a -> a.length > 1 ? a[1] : ""));
        assertThat(FLAGS).as("flags of the command line contract").containsAll(flags.keySet());
        assertThat(flags).containsEntry("--data-dir", "/data").containsEntry("--bind", "0.0.0.0:7600")
                .containsEntry("--http", "0.0.0.0:8600").containsEntry("--node-id", "$(POD_NAME)")
                .containsEntry("--advertise", "$(POD_IP):7600")
                .containsEntry("--cluster-secret-file", "/etc/cluster-mode/cluster-secret")
                .containsEntry("--http-token-file", "/etc/cluster-mode/http-token");
        return flags;
    }

    private static List<HasMetadata> load(String file) throws IOException {
        try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
            Object parsed = new KubernetesSerialization().unmarshal(in);
            @SuppressWarnings("unchecked")
            List<HasMetadata> objects = parsed instanceof List ? (List<HasMetadata>) parsed : List.of((HasMetadata) parsed);
            return objects;
        }
    }

    private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("one %s", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }
}
