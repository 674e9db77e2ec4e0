package io.clustermode.discovery.kubernetes;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.ClusterListener;
import io.clustermode.ClusterRole;
import io.clustermode.Consistency;
import io.clustermode.LeadershipTransferException;
import io.clustermode.NotPrimaryException;
import io.clustermode.Member;
import io.clustermode.NodeId;
import io.clustermode.RoleChange;
import io.clustermode.transport.InMemoryNetwork;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link PrimaryLabel} on three in-process nodes (in-memory transport) against the fabric8 mock
 * API server in CRUD mode. A watch on the pods is the audit: every change of a pod, in the
 * server's order, goes into a model of the labels, and the model must never show two pods
 * labelled {@code primary}.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class PrimaryLabelTest {

    private static final String NS = "test";
    private static final String SERVICE = "cluster-mode";
    private static final Map<String, String> APP = Map.of("app.kubernetes.io/name", "cluster-mode");
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<Cluster<?, ?>> nodes = new ArrayList<>();
    private final List<PrimaryLabel> labels = new ArrayList<>();
    /** When each node last became primary (nanoTime), by term. */
    private final Map<Long, Long> electedAt = new ConcurrentHashMap<>();

    // the audit
    private Watch watch;
    private final Map<String, String> model = new HashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, Long> labelledPrimaryAt = new ConcurrentHashMap<>();

    @BeforeEach
    void pods() {
        client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName(SERVICE)
                .endMetadata().withNewSpec().withSelector(APP).withClusterIP("None").endSpec().build()).create();
        watch = client.pods().inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                audit(action, pod);
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        for (String name : List.of("n0", "n1", "n2")) {
            createPod(name, APP, null);
        }
        // not of this cluster: must never be touched
        createPod("other", Map.of("app.kubernetes.io/name", "other"), "primary");
    }

    @AfterEach
    void stop() {
        nodes.forEach(Cluster::close);
        labels.forEach(PrimaryLabel::close);
        if (watch != null) {
            watch.close();
        }
    }

    @Test
    void the_primary_labels_its_pod_after_clearing_a_stale_primary_label_first() throws Exception {
        createPod("n9", APP, "primary"); // a pod a former primary left labelled, no node in it now
        startNodes();

        String primary = awaitLabelledPrimary();
        assertThat(labelOf("n9")).isEqualTo("secondary");
        assertThat(nodes.stream().filter(n -> !n.id().value().equals(primary)).map(n -> labelOf(n.id().value())))
                .containsOnly("secondary");
        int cleared = events.indexOf("n9=secondary");
        int labelled = events.indexOf(primary + "=primary");
        assertThat(cleared).as("the stale label cleared before the new one is set: " + events).isNotNegative()
                .isLessThan(labelled);
        assertThat(labelOf("other")).isEqualTo("primary");
        assertThat(violations).isEmpty();
    }

    @Test
    void over_100_failovers_two_pods_never_say_primary_and_the_label_follows_within_a_second() throws Exception {
        startNodes();
        List<Long> delaysMillis = new ArrayList<>();
        int failovers = 100;
        int elections = 0; // besides the transfers: a busy machine now and then delays a heartbeat enough
        while (delaysMillis.size() < failovers) {
            String primary = awaitLabelledPrimary();
            try {
                node(primary).transferLeadership().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotPrimaryException || e.getCause() instanceof LeadershipTransferException)) {
                    throw e;
                }
                elections++; // it lost primacy on its own meanwhile: measure that election instead
            }
            String next = awaitLabelledPrimary();
            long term = node(next).fencingToken().orElse(-1);
            Long labelled = labelledPrimaryAt.get(next + "@" + term);
            Long elected = electedAt.get(term);
            if (!next.equals(primary) && labelled != null && elected != null) {
                delaysMillis.add(TimeUnit.NANOSECONDS.toMillis(labelled - elected));
            }
        }
        if (elections > 0) {
            System.out.printf("PrimaryLabel: %d transfers found their primary deposed already%n", elections);
        }
        assertThat(violations).as("moments with two pods labelled primary").isEmpty();
        List<Long> sorted = delaysMillis.stream().sorted().collect(Collectors.toList());
        System.out.printf("PrimaryLabel: %d failovers; election to label on the new primary: median %d ms,"
                + " max %d ms%n", failovers, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
        // a generous bound (the issue asks for 1 s); the figures above are what was measured
        assertThat(sorted.get(sorted.size() / 2)).isLessThan(1000);
    }

    @Test
    void a_primary_that_loses_primacy_relabels_itself_secondary() throws Exception {
        startNodes();
        String primary;
        while (true) {
            primary = awaitLabelledPrimary();
            try {
                node(primary).stepDown().get(30, TimeUnit.SECONDS);
                break;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotPrimaryException)) {
                    throw e;
                }
                // deposed on its own meanwhile (a busy machine): take the next one
            }
        }
        String stepped = primary;
        await().atMost(PATIENCE).until(() -> "secondary".equals(model(stepped)));
        String next = awaitLabelledPrimary();
        assertThat(next).isNotNull();
        assertThat(violations).isEmpty();
    }

    @Test
    void when_the_labelled_primary_is_cut_off_its_successor_demotes_its_pod_before_labelling_its_own()
            throws Exception {
        startNodes();
        String old = awaitLabelledPrimary();
        network.isolate(NodeId.of(old)); // from its peers only: it still reaches the API server
        await().atMost(PATIENCE).until(() -> nodes.stream()
                .anyMatch(n -> n.isPrimary() && !n.id().value().equals(old)));
        String next = nodes.stream().filter(n -> n.isPrimary() && !n.id().value().equals(old)).findFirst()
                .orElseThrow().id().value();
        await().atMost(PATIENCE).until(() -> "primary".equals(model(next)));
        int demoted = events.lastIndexOf(old + "=secondary");
        assertThat(demoted).as(events.toString()).isNotNegative().isLessThan(events.lastIndexOf(next + "=primary"));
        network.heal();
        await().atMost(PATIENCE).until(() -> nodes.stream().filter(Cluster::isPrimary).count() == 1);
        awaitLabelledPrimary();
        assertThat(violations).as("moments with two pods labelled primary").isEmpty();
    }

    @Test
    void when_the_api_fails_the_labeller_retries_until_it_works() throws Exception {
        client.services().inNamespace(NS).withName(SERVICE).delete(); // the cluster's pods cannot be told
        await().atMost(PATIENCE).until(() -> client.services().inNamespace(NS).withName(SERVICE).get() == null);
        startNodes();
        await().atMost(PATIENCE).until(() -> nodes.stream().anyMatch(Cluster::isPrimary));
        Thread.sleep(500); // some failed rounds
        assertThat(nodes.stream().map(n -> model(n.id().value()))).doesNotContain("primary");
        client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName(SERVICE)
                .endMetadata().withNewSpec().withSelector(APP).withClusterIP("None").endSpec().build()).create();
        awaitLabelledPrimary();
        assertThat(violations).isEmpty();
    }

    @Test
    void a_patch_with_an_old_resource_version_is_refused_by_the_server() {
        // the compare-and-set the labeller relies on, as the mock server (and a real one) does it
        Pod pod = client.pods().inNamespace(NS).withName("n0").get();
        client.pods().inNamespace(NS).withName("n0").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"x\":\"1\"}}}");
        assertThatThrownBy(() -> client.pods().inNamespace(NS).withName("n0").patch(
                PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"resourceVersion\":\""
                        + pod.getMetadata().getResourceVersion() + "\",\"labels\":{\"x\":\"2\"}}}"))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    }

    // ------------------------------------------------------------------ helpers

    private void startNodes() throws Exception {
        List<String> seeds = List.of("n0:7600", "n1:7600", "n2:7600");
        for (int i = 0; i < 3; i++) {
            String name = "n" + i;
            Cluster<?, ?> node = Cluster.start(ClusterConfig.builder()
                    .nodeId(NodeId.of(name))
                    .advertise(name + ":7600")
                    .bind("127.0.0.1:0")
                    .seeds(seeds)
                    .dataDir(dir.resolve(name))
                    .heartbeatInterval(Duration.ofMillis(30))
                    .electionTimeout(Duration.ofMillis(300))
                    .updateInterval(Duration.ofMillis(100))
                    .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                    .build());
            node.addListener(new ClusterListener() {
                @Override
                public void onRoleChange(RoleChange change) {
                    if (change.role() == ClusterRole.PRIMARY) {
                        electedAt.putIfAbsent(change.term(), System.nanoTime());
                    }
                }
            });
            nodes.add(node);
            labels.add(labelling(node, name));
        }
        // three voters the primary has heard from: a handover has somewhere to go
        await().atMost(PATIENCE).until(() -> nodes.stream().filter(Cluster::isPrimary).findFirst()
                .map(p -> p.members().stream().filter(Member::voter).count() == 3).orElse(false));
    }

    /** The labeller of {@code cluster}'s pod, as an application (or cluster-mode node) makes it. */
    private PrimaryLabel labelling(Cluster<?, ?> cluster, String pod) {
        PrimaryLabel label = PrimaryLabel.start(new PrimaryLabel.Node() {
            @Override
            public String id() {
                return cluster.id().value();
            }

            @Override
            public OptionalLong fencingToken() {
                return cluster.fencingToken();
            }

            @Override
            public CompletionStage<?> confirmPrimacy() {
                return cluster.read(machine -> Boolean.TRUE, Consistency.LINEARIZABLE);
            }
        }, client, NS, SERVICE, pod);
        cluster.addListener(new ClusterListener() {
            @Override
            public void onRoleChange(RoleChange change) {
                label.roleChanged(change.fencingToken());
            }
        });
        return label;
    }

    private Cluster<?, ?> node(String name) {
        return nodes.stream().filter(n -> n.id().value().equals(name)).findFirst().orElseThrow();
    }

    /** Waits until the current primary's pod, and only it, is labelled primary; returns its name. */
    private String awaitLabelledPrimary() {
        String[] found = new String[1];
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> {
            Cluster<?, ?> primary = nodes.stream().filter(Cluster::isPrimary).findFirst().orElse(null);
            if (primary == null) {
                return false;
            }
            found[0] = primary.id().value();
            synchronized (model) {
                return model.entrySet().stream().filter(e -> "primary".equals(e.getValue())
                        && !e.getKey().equals("other")).map(Map.Entry::getKey).toList().equals(List.of(found[0]));
            }
        });
        return found[0];
    }

    private void createPod(String name, Map<String, String> labels, String role) {
        Map<String, String> all = new HashMap<>(labels);
        if (role != null) {
            all.put(PrimaryLabel.LABEL, role);
        }
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).withLabels(all)
                .endMetadata().build()).create();
        await().atMost(PATIENCE).until(() -> model.containsKey(name) || role == null && events.contains(name + "=-"));
    }

    private String labelOf(String pod) {
        Map<String, String> labels = client.pods().inNamespace(NS).withName(pod).get().getMetadata().getLabels();
        return labels == null ? null : labels.get(PrimaryLabel.LABEL);
    }

    private String model(String pod) {
        synchronized (model) {
            return model.get(pod);
        }
    }

    private void audit(Watcher.Action action, Pod pod) {
        String name = pod.getMetadata().getName();
        Map<String, String> podLabels = pod.getMetadata().getLabels();
        String role = action == Watcher.Action.DELETED || podLabels == null ? null : podLabels.get(PrimaryLabel.LABEL);
        synchronized (model) {
            String before = model.get(name);
            if (role == null) {
                model.remove(name);
            } else {
                model.put(name, role);
            }
            if (!java.util.Objects.equals(before, role) || action == Watcher.Action.ADDED) {
                events.add(name + "=" + (role == null ? "-" : role));
            }
            if ("primary".equals(role) && !"primary".equals(before)) {
                String term = pod.getMetadata().getAnnotations() == null ? "?"
                        : pod.getMetadata().getAnnotations().get(PrimaryLabel.TERM_ANNOTATION);
                labelledPrimaryAt.putIfAbsent(name + "@" + term, System.nanoTime());
            }
            List<String> primaries = model.entrySet().stream()
                    .filter(e -> "primary".equals(e.getValue()) && !e.getKey().equals("other"))
                    .map(Map.Entry::getKey).sorted().toList();
            if (primaries.size() > 1) {
                violations.add(primaries + " after " + action + " " + name);
            }
        }
    }
}
