package io.clustermode.discovery.kubernetes;

import io.clustermode.discovery.FailureLog;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the label {@value #LABEL} on this cluster's pods: {@value #PRIMARY} on the primary's
 * pod only, {@value #SECONDARY} on the others (the {@code --k8s-label-primary} option), so that
 * a Service selecting {@code cluster-mode.io/role: primary} sends its traffic to the primary.
 *
 * <h2>The order of the patches</h2>
 * A node that becomes primary in term T labels its own pod only once its primacy is
 * established: a linearizable read has succeeded in T (it needs an entry of T committed, thesis
 * §6.4, and a heartbeat round that a majority answered). Before that, it sets every other pod of
 * the cluster (the pods the Service {@code service} selects) that is not yet {@value #SECONDARY}
 * of T to {@value #SECONDARY}, so that two pods never say {@value #PRIMARY} at once. A node that
 * loses primacy (or never had it) labels its own pod {@value #SECONDARY} at once.
 *
 * <p>Every patch is a compare-and-set: it carries the pod's {@code resourceVersion} (the API
 * server refuses it with 409 when the pod changed since it was read), and the annotation
 * {@value #TERM_ANNOTATION} records the largest term that labelled the pod. A node of term T
 * never labels a pod whose annotation is above T: a deposed primary that resumes after a pause
 * and still thinks it leads finds its own pod marked by its successor's term and stays
 * {@value #SECONDARY}, however its patches interleave with the successor's.
 *
 * <h2>The node</h2>
 * The labeller sees its node through {@link Node}, three calls a {@code Cluster} answers, and is
 * told of role changes by {@link #roleChanged(OptionalLong)}; the plug-in modules see only the core's SPIs,
 * never its API (so a plug-in can be replaced without touching what it plugs into). For a
 * {@code Cluster} ({@code cluster-mode node --k8s-label-primary} does this):
 * <pre>{@code
 * PrimaryLabel label = PrimaryLabel.start(new PrimaryLabel.Node() {
 *     public String id() { return node.id().value(); }
 *     public OptionalLong fencingToken() { return cluster.fencingToken(); }
 *     public CompletionStage<?> confirmPrimacy() { return cluster.read(m -> null, Consistency.LINEARIZABLE); }
 * }, discovery, podName);
 * cluster.addListener(new ClusterListener() {
 *     public void onRoleChange(RoleChange change) { label.roleChanged(change.fencingToken()); }
 * });
 * }</pre>
 *
 * <h2>Threads and failures</h2>
 * {@link #roleChanged(OptionalLong)} only schedules work; the API requests run on this labeller's own
 * thread ({@code cluster-mode-<id>-k8s-label}), never on Raft's or the listeners'. A request
 * that fails (the API server down, a missing RBAC rule) is retried with a
 * back-off from {@link #MIN_BACKOFF} doubling to {@link #MAX_BACKOFF}; each distinct failure is
 * logged once at WARN. The labeller needs {@code get}, {@code list} and {@code patch} on pods
 * and {@code get} on the Service in its namespace.
 */
public final class PrimaryLabel implements AutoCloseable {

    /** The label kept on the pods. */
    public static final String LABEL = "cluster-mode.io/role";
    /** The label's value on the primary's pod. */
    public static final String PRIMARY = "primary";
    /** The label's value on every other pod of the cluster. */
    public static final String SECONDARY = "secondary";
    /** The annotation holding the largest term that labelled a pod. */
    public static final String TERM_ANNOTATION = "cluster-mode.io/role-term";
    /** The first retry's delay after a failed request. */
    public static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    /** The longest delay between retries. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(PrimaryLabel.class);
    /** Compare-and-set attempts of one pod before the round is retried later. */
    private static final int CAS_ATTEMPTS = 5;

    private final Node node;
    private final KubernetesClient client;
    private final String namespace;
    private final String service;
    private final String pod;
    private final ScheduledExecutorService worker;
    private final FailureLog failures = new FailureLog(LOG);

    // owned by the worker thread
    private Map<String, String> selector;
    private String written = "";
    private long backoffMillis;
    private ScheduledFuture<?> retry;
    private long primaryTerm = -1;
    private long establishedTerm = -1;

    private volatile boolean closed;
    private volatile KubernetesClient ownedClient;

    /**
     * The node whose pod is labelled: what the labeller asks it (on the labeller's thread; the
     * calls must not block).
     */
    public interface Node {

        /** The node's id, for the logs and the thread's name. */
        String id();

        /** The fencing token (the term) while this node is the primary; empty otherwise. */
        OptionalLong fencingToken();

        /**
         * Completes once this node's primacy in its current term is established — an entry of
         * the term committed and a majority still following (a {@code Cluster}'s linearizable
         * read); fails when it cannot be.
         */
        CompletionStage<?> confirmPrimacy();
    }

    private PrimaryLabel(Node node, KubernetesClient client, String namespace, String service, String pod) {
        this.node = node;
        this.client = client;
        this.namespace = namespace;
        this.service = service;
        this.pod = pod;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "cluster-mode-" + node.id() + "-k8s-label");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.worker = executor;
    }

    /**
     * Starts keeping the label for {@code node}: labels this pod {@value #SECONDARY} at once
     * (unless the node is the primary), and follows the role from then on: call
     * {@link #roleChanged(OptionalLong)} whenever the node's role changes.
     *
     * @param node      the node whose pod this is
     * @param client    the client to use (not closed by this labeller)
     * @param namespace the namespace of the pods and the service
     * @param service   the Service whose selector picks the cluster's pods
     * @param pod       this pod's name
     * @throws IllegalArgumentException when the pod's name is missing
     */
    public static PrimaryLabel start(Node node, KubernetesClient client, String namespace, String service,
                                     String pod) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(service, "service");
        if (pod == null || pod.isBlank()) {
            throw new IllegalArgumentException("the pod's name is needed to label it (POD_NAME or HOSTNAME)");
        }
        PrimaryLabel label = new PrimaryLabel(node, client, namespace, service, pod);
        label.roleChanged(node.fencingToken());
        return label;
    }

    /**
     * As {@link #start(Node, KubernetesClient, String, String, String)} with the namespace and
     * service of {@code discovery} (the node's own discovery: its service selects the cluster's
     * pods), and a client of its own, configured the usual fabric8 way and closed by
     * {@link #close()}: a cluster closes its discovery's client when it stops, and the last
     * relabelling comes after that.
     */
    public static PrimaryLabel start(Node node, KubernetesDiscovery discovery, String pod) {
        KubernetesClient own = discovery.config().client() != null ? discovery.config().client()
                : new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
        PrimaryLabel label = start(node, own, discovery.namespace(), discovery.config().service(), pod);
        if (own != discovery.config().client()) {
            label.ownedClient = own;
        }
        return label;
    }

    /** This pod's name. */
    public String pod() {
        return pod;
    }

    /**
     * The node's role changed: {@code fencingToken} is the term when it is now the primary,
     * empty otherwise ({@code RoleChange.fencingToken()}). Pass what the change said rather than
     * asking the node again: a node may tell its listeners before its status shows the change.
     * Returns at once (the work happens on the labeller's thread); calls after {@link #close()}
     * are ignored.
     */
    public void roleChanged(OptionalLong fencingToken) {
        Objects.requireNonNull(fencingToken, "fencingToken");
        try {
            worker.execute(() -> follow(fencingToken));
        } catch (RejectedExecutionException closedAlready) {
            // closed: nothing to follow any more
        }
    }

    /** Moves towards the role the node last told (on the worker). */
    private void follow(OptionalLong token) {
        if (closed) {
            return;
        }
        LOG.debug("node {}: role changed; fencing token {}", node.id(), token);
        if (token.isPresent()) {
            if (primaryTerm != token.getAsLong()) {
                primaryTerm = token.getAsLong();
                confirm(primaryTerm);
            }
        } else {
            primaryTerm = -1;
        }
        reconcile();
    }

    /** Waits (without blocking anyone) for primacy in {@code term} to be established, then labels. */
    private void confirm(long term) {
        if (closed || primaryTerm != term) {
            return;
        }
        CompletionStage<?> confirmation;
        try {
            confirmation = node.confirmPrimacy();
        } catch (RuntimeException e) {
            confirmation = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        confirmation.whenCompleteAsync((ok, failure) -> {
            if (primaryTerm != term) {
                return;
            }
            if (failure == null && stillPrimaryIn(term)) {
                establishedTerm = term;
                reconcile();
            } else {
                LOG.debug("node {}: primacy in term {} not confirmed yet ({}); asking again", node.id(), term,
                        failure);
                worker.schedule(() -> confirm(term), MIN_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
            }
        }, worker);
    }

    private boolean stillPrimaryIn(long term) {
        return node.fencingToken().orElse(-1) == term;
    }

    /** Brings the labels to what the role says (on the worker); retries later when the API fails. */
    private void reconcile() {
        if (closed) {
            return;
        }
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        long term = primaryTerm;
        boolean leading = term >= 0;
        boolean primary = leading && establishedTerm == term;
        if (leading && !primary && SECONDARY.equals(written)) {
            return; // primary, not established yet: confirm() comes back here
        }
        // else secondary; also a leader not established yet whose pod may still say primary of an earlier term
        String wanted = primary ? PRIMARY + "@" + term : SECONDARY;
        if (wanted.equals(written)) {
            return;
        }
        try {
            if (primary) {
                promote(term);
            } else {
                label(pod, SECONDARY, -1);
                LOG.info("node {}: pod {} labelled {}={}", node.id(), pod, LABEL, SECONDARY);
            }
            written = wanted;
            backoffMillis = 0;
            failures.succeeded("node " + node.id() + ": the pod labels can be written again");
        } catch (NotPrimaryNow notNow) {
            // the node's status says otherwise than its last role change: the change that explains
            // it is on its way (and comes back here), or the status lags the event: look again soon
            LOG.debug("node {}: not labelling pod {} primary for term {} yet: {}", node.id(), pod, term,
                    notNow.getMessage());
            schedule(MIN_BACKOFF.toMillis());
        } catch (Superseded superseded) {
            written = wanted; // nothing to do until the role changes
            LOG.info("node {}: not labelling pod {} primary for term {}: {}", node.id(), pod, term,
                    superseded.getMessage());
        } catch (KubernetesClientException e) {
            failures.failed("node " + node.id() + ": cannot keep the " + LABEL + " labels of namespace " + namespace
                    + ", retrying with back-off: " + (e.getCode() == 403 ? "forbidden: the pod's service account needs"
                    + " get, list and patch on pods and get on services (" + e.getMessage() + ")"
                    : e.getCode() > 0 ? "HTTP " + e.getCode() + ": " + e.getMessage() : e.getMessage()));
            backoffMillis = backoffMillis == 0 ? MIN_BACKOFF.toMillis()
                    : Math.min(MAX_BACKOFF.toMillis(), backoffMillis * 2);
            schedule(backoffMillis);
        }
    }

    private void schedule(long delayMillis) {
        if (!worker.isShutdown()) {
            retry = worker.schedule(this::reconcile, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** The other pods become secondary of {@code term}, then this one primary. */
    private void promote(long term) throws Superseded, NotPrimaryNow {
        if (selector == null) {
            Service found = client.services().inNamespace(namespace).withName(service).get();
            if (found == null || found.getSpec() == null || found.getSpec().getSelector() == null
                    || found.getSpec().getSelector().isEmpty()) {
                throw new KubernetesClientException("service " + namespace + "/" + service
                        + (found == null ? " not found" : " has no selector") + ": cannot tell the cluster's pods");
            }
            selector = Map.copyOf(found.getSpec().getSelector());
        }
        List<String> demoted = new ArrayList<>();
        for (Pod other : client.pods().inNamespace(namespace).withLabels(selector).list().getItems()) {
            String name = other.getMetadata().getName();
            if (!name.equals(pod) && (!SECONDARY.equals(labelOf(other)) || termOf(other) < term)) {
                requireStillPrimary(term);
                label(name, SECONDARY, term);
                if (PRIMARY.equals(labelOf(other))) {
                    demoted.add(name);
                }
            }
        }
        requireStillPrimary(term);
        label(pod, PRIMARY, term);
        LOG.info("node {}: pod {} labelled {}={} for term {}{}", node.id(), pod, LABEL, PRIMARY, term,
                demoted.isEmpty() ? "" : " (first relabelled " + demoted + " " + SECONDARY + ")");
    }

    /** Checked before every patch of a promotion: the node's own status, at that moment. */
    private void requireStillPrimary(long term) throws NotPrimaryNow {
        if (!stillPrimaryIn(term)) {
            throw new NotPrimaryNow("the node's status does not say primary in term " + term);
        }
    }

    /**
     * Sets the label of pod {@code name} to {@code value} and its term annotation to at least
     * {@code term} (none for -1), compare-and-set on its resourceVersion.
     *
     * @throws Superseded when the pod was labelled by a later term than {@code term}
     */
    private void label(String name, String value, long term) throws Superseded {
        for (int attempt = 1; ; attempt++) {
            Pod current = client.pods().inNamespace(namespace).withName(name).get();
            if (current == null) {
                return; // gone: nothing to label
            }
            long stored = termOf(current);
            if (term >= 0 && stored > term) {
                throw new Superseded("pod " + name + " was labelled in term " + stored);
            }
            if (value.equals(labelOf(current)) && (term < 0 || stored == term)) {
                return;
            }
            String annotation = term < 0 || stored >= term ? "" : ",\"annotations\":{\"" + TERM_ANNOTATION + "\":\""
                    + term + "\"}";
            String patch = "{\"metadata\":{\"resourceVersion\":\"" + current.getMetadata().getResourceVersion()
                    + "\",\"labels\":{\"" + LABEL + "\":\"" + value + "\"}" + annotation + "}}";
            try {
                client.pods().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= CAS_ATTEMPTS) {
                    throw e;
                }
                // the pod changed since it was read (perhaps another node labelled it): read again
            }
        }
    }

    private static String labelOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? null : labels.get(LABEL);
    }

    private static long termOf(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(TERM_ANNOTATION);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException notATerm) {
            return -1;
        }
    }

    /** The node's status does not (or not yet) say it is the primary of the term being labelled. */
    private static final class NotPrimaryNow extends Exception {
        private static final long serialVersionUID = 1L;

        NotPrimaryNow(String message) {
            super(message, null, false, false);
        }
    }

    /** A later term has labelled the pods: this node's labelling for its term is moot. */
    private static final class Superseded extends Exception {
        private static final long serialVersionUID = 1L;

        Superseded(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Stops following the role. Close it after the node stopped: a node that is no longer
     * primary then labels its pod {@value #SECONDARY} one last time (waited for up to
     * {@link #MAX_BACKOFF}); otherwise the next primary relabels the pod.
     */
    @Override
    public void close() {
        try {
            worker.execute(() -> follow(node.fencingToken()));
            worker.shutdown();
            worker.awaitTermination(MAX_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException alreadyClosed) {
            // closed before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed = true;
            worker.shutdownNow();
            if (ownedClient != null) {
                ownedClient.close();
            }
        }
    }
}
