package io.clustermode.discovery.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clustermode.discovery.FailureLog;

import io.clustermode.discovery.DiscoveryService;
import io.clustermode.discovery.ServiceInstance;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsList;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Discovery through the Kubernetes API, on the fabric8 client: the endpoints of a Service, from
 * its EndpointSlices ({@code discovery.k8s.io/v1}, labelled
 * {@code kubernetes.io/service-name=<service>}), watched.
 *
 * <h2>What an instance is</h2>
 * One per endpoint that is ready (or of unknown readiness), serving and not terminating, in a
 * slice that has the transport port (by name); its host is the endpoint's first address; its id
 * the name of the pod it points at (its {@code targetRef}), else the address; its ports all the
 * slice's ports; its metadata the endpoint's node, zone, host name and target (the
 * {@code META_} keys). Instances come sorted by id. With a headless Service that has
 * {@code publishNotReadyAddresses: true}, every pod is ready as far as its endpoints go, so
 * peers find each other before they pass their readiness probe.
 *
 * <h2>Watched</h2>
 * The first {@link #instances()} lists the slices and starts a watch from the list's version;
 * from then on {@link #instances()} answers from the cache the watch keeps, and every change
 * calls the {@link #onChange(Runnable) listeners} as it arrives. When the watch ends (its
 * version expired, say) or the cache is older than the resync period, the next call lists again
 * and restarts the watch. When a watch cannot be started, each call lists (polling) until one
 * can.
 *
 * <h2>Endpoints fallback</h2>
 * When the API server does not serve EndpointSlices (404 on their list, a Kubernetes older than
 * 1.21), the v1 Endpoints object named after the service is used the same way, its ready
 * addresses only ({@code notReadyAddresses} are not instances).
 *
 * <h2>Failure</h2>
 * A list that fails throws a {@link KubernetesDiscoveryException}: the caller keeps its members.
 * A 403 means a missing RBAC rule: it is logged once at WARN, naming the verbs, resource, API
 * group, namespace and service account that the rule needs, and every call then throws a short
 * message until the list works again (each call tries). Other failures are logged once per
 * distinct message. Nothing is printed. The client retries a request that fails with a 5xx
 * or an I/O error itself before the call fails (fabric8's default: up to 10 times with a growing
 * back-off, some 20 seconds; see {@code Config.requestRetryBackoffLimit}).
 *
 * <h2>Threading</h2>
 * {@link #instances()} may block (a list, the start of a watch) and is serialized; listeners
 * are called on the client's threads and must not block; {@link #close()} may be called from
 * any thread.
 */
public final class KubernetesDiscovery implements DiscoveryService {

    /** The label by which EndpointSlices name their Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** Metadata key: {@code IPv4}, {@code IPv6} or {@code FQDN}. */
    public static final String META_ADDRESS_TYPE = "kubernetes.addressType";
    /** Metadata key: the node the endpoint's pod runs on. */
    public static final String META_NODE_NAME = "kubernetes.nodeName";
    /** Metadata key: the zone of that node (EndpointSlices only). */
    public static final String META_ZONE = "kubernetes.zone";
    /** Metadata key: the endpoint's host name (a StatefulSet pod's, under a headless service). */
    public static final String META_HOSTNAME = "kubernetes.hostname";
    /** Metadata key: the kind of the object the endpoint points at, usually {@code Pod}. */
    public static final String META_TARGET_KIND = "kubernetes.targetRef.kind";
    /** Metadata key: the name of that object (the pod's name). */
    public static final String META_TARGET_NAME = "kubernetes.targetRef.name";
    /** Metadata key: the namespace of that object. */
    public static final String META_TARGET_NAMESPACE = "kubernetes.targetRef.namespace";
    /** Metadata key: the uid of that object, which changes when a pod is recreated. */
    public static final String META_TARGET_UID = "kubernetes.targetRef.uid";

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesDiscovery.class);
    private static final ObjectMapper CLAIMS = new ObjectMapper();
    private static final Pattern USER_IN_STATUS = Pattern.compile("User \"([^\"]+)\"");

    private final KubernetesDiscoveryConfig config;
    private final String namespace;
    private final String serviceAccount;
    private final KubernetesClient client;
    private final boolean ownsClient;
    private final FailureLog failures = new FailureLog(LOG);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock poll = new ReentrantLock();
    private final ListWatch<EndpointSlice, EndpointSliceList> slices;
    private final ListWatch<Endpoints, EndpointsList> endpoints;
    private volatile boolean useEndpoints;
    private volatile boolean closed;

    /**
     * Prepares the client and reads the namespace; makes no request yet.
     *
     * @param config what to watch and how
     */
    public KubernetesDiscovery(KubernetesDiscoveryConfig config) {
        this.config = config;
        this.namespace = namespace(config);
        this.serviceAccount = serviceAccount(config.serviceAccountDir()).orElse(null);
        this.ownsClient = config.client() == null;
        this.client = ownsClient ? new KubernetesClientBuilder().build() : config.client();
        this.slices = new ListWatch<>("EndpointSlices of service " + namespace + "/" + config.service(),
                client.discovery().v1().endpointSlices().inNamespace(namespace)
                        .withLabel(SERVICE_NAME_LABEL, config.service()),
                this::changed, System::nanoTime);
        this.endpoints = new ListWatch<>("Endpoints " + namespace + "/" + config.service(),
                client.endpoints().inNamespace(namespace).withField("metadata.name", config.service()),
                this::changed, System::nanoTime);
    }

    /** The configuration this service was built from. */
    public KubernetesDiscoveryConfig config() {
        return config;
    }

    /** The namespace watched: the configured one, else this pod's (from its service account), else {@code default}. */
    public String namespace() {
        return namespace;
    }

    /**
     * The instances there are now: from the watched cache, or from a list when there is no
     * watch yet, it ended, or the cache is older than the resync period.
     *
     * @return the instances, sorted by id; empty when the service has no usable endpoints (or
     *         does not exist)
     * @throws KubernetesDiscoveryException when the API server refuses (403, see the RBAC
     *                                      warning logged once), fails or cannot be reached
     * @throws IllegalStateException        after {@link #close()}
     */
    @Override
    public List<ServiceInstance> instances() throws KubernetesDiscoveryException {
        poll.lock();
        try {
            if (closed) {
                throw new IllegalStateException("Kubernetes discovery of service '" + config.service() + "' is closed");
            }
            if (!useEndpoints) {
                try {
                    refreshIfStale(slices);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw failure(e, "endpointslices", "discovery.k8s.io");
                    }
                    // a Kubernetes without discovery.k8s.io/v1 (before 1.21): the Endpoints API instead
                    LOG.info("EndpointSlices (discovery.k8s.io/v1) are not served by this Kubernetes API (404): "
                            + "discovering service '{}' in namespace '{}' through the Endpoints API instead",
                            config.service(), namespace);
                    useEndpoints = true;
                    slices.close();
                }
            }
            List<ServiceInstance> found;
            if (useEndpoints) {
                try {
                    refreshIfStale(endpoints);
                } catch (KubernetesClientException e) {
                    throw failure(e, "endpoints", "");
                }
                List<Endpoints> items = endpoints.items();
                found = Instances.fromEndpoints(items.isEmpty() ? null : items.get(0), config.service(),
                        config.portName(), failures::noticed);
            } else {
                found = Instances.fromSlices(slices.items(), config.service(), config.portName(), failures::noticed);
            }
            failures.succeeded("Kubernetes discovery of service '" + config.service() + "' in namespace '"
                    + namespace + "' works again: " + found.size() + " instance(s)");
            return found;
        } finally {
            poll.unlock();
        }
    }

    /**
     * Adds a listener called, on the client's thread, when a watched change arrives or a watch
     * ends (the next {@link #instances()} then lists again). It must not block; it should make
     * the caller call {@link #instances()} soon.
     */
    @Override
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Stops the watches and closes the client if this service created it. Idempotent. */
    @Override
    public void close() {
        closed = true;
        slices.close();
        endpoints.close();
        listeners.clear();
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "KubernetesDiscovery[" + namespace + "/" + config.service() + " port " + config.portName()
                + (useEndpoints ? " via Endpoints" : " via EndpointSlices") + "]";
    }

    /** Whether the Endpoints API is used, EndpointSlices not being served (for tests). */
    boolean usesEndpoints() {
        return useEndpoints;
    }

    /** The warnings logged so far (for tests). */
    List<String> warnings() {
        return failures.warnings();
    }

    /** Lists and watches again unless the watch keeps the cache fresh; a watch that cannot start is only noted. */
    private void refreshIfStale(ListWatch<?, ?> source) {
        if (source.fresh(config.resyncPeriod())) {
            return;
        }
        source.list();
        try {
            source.watch();
        } catch (KubernetesClientException e) {
            // the list is good: poll with lists until a watch starts, and say why once
            boolean slice = source == slices;
            String resource = slice ? "endpointslices" : "endpoints";
            failures.noticed(e.getCode() == 403
                    ? rbacMessage("watch", resource, slice ? "discovery.k8s.io" : "", e)
                    : "Kubernetes discovery of service '" + config.service() + "' cannot watch " + resource
                    + " in namespace '" + namespace + "' (" + describe(e) + "): it lists them at every poll"
                    + " instead, so changes are seen at the next poll only");
        }
    }

    /** The exception for a failed list, its warning logged once. */
    private KubernetesDiscoveryException failure(KubernetesClientException e, String resource, String group) {
        String qualified = group.isEmpty() ? resource : resource + "." + group;
        if (e.getCode() == 403) {
            failures.failed(rbacMessage("list", resource, group, e));
            return new KubernetesDiscoveryException(403, "forbidden (HTTP 403) to list " + qualified
                    + " in namespace '" + namespace + "': a missing RBAC rule, see the warning logged", e);
        }
        String message = "Kubernetes discovery of service '" + config.service() + "': listing " + qualified
                + " in namespace '" + namespace + "' failed: " + describe(e);
        failures.failed(message);
        return new KubernetesDiscoveryException(Math.max(e.getCode(), 0), message, e);
    }

    /** The warning for a 403: the exact rule that is missing, and for whom. */
    private String rbacMessage(String verb, String resource, String group, KubernetesClientException e) {
        String who = serviceAccount != null ? serviceAccount : userInStatus(e).orElse(null);
        String subject = who != null ? who : "this pod's service account";
        String groupText = group.isEmpty() ? "the core API group \"\"" : "API group \"" + group + "\"";
        return "Kubernetes discovery of service '" + config.service() + "' is forbidden (HTTP 403): " + subject
                + " may not " + verb + " " + resource + " in namespace '" + namespace + "'. Missing RBAC rule: verbs"
                + " list and watch on " + resource + " in " + groupText + ", namespace '" + namespace + "': a Role"
                + " with the rule {apiGroups: [\"" + group + "\"], resources: [\"" + resource + "\"], verbs: [\"get\","
                + " \"list\", \"watch\"]} and a RoleBinding of it to " + subject
                + " (see deploy/kubernetes/rbac.yaml). Until then this node keeps the members it has."
                + " The API server said: " + statusMessage(e);
    }

    private void changed() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("a discovery change listener failed", e);
            }
        }
    }

    private static String describe(KubernetesClientException e) {
        return e.getCode() > 0 ? "HTTP " + e.getCode() + ", " + statusMessage(e) : String.valueOf(rootCause(e));
    }

    private static String statusMessage(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        return String.valueOf(e.getMessage());
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static Optional<String> userInStatus(KubernetesClientException e) {
        Matcher m = USER_IN_STATUS.matcher(statusMessage(e));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The configured namespace, else the pod's (mounted with its service account), else {@code default}. */
    static String namespace(KubernetesDiscoveryConfig config) {
        if (config.namespace() != null) {
            return config.namespace();
        }
        Path file = config.serviceAccountDir().resolve("namespace");
        try {
            if (Files.isReadable(file)) {
                String namespace = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!namespace.isEmpty()) {
                    return namespace;
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read the namespace from {}: {}; using 'default'", file, e.toString());
        }
        return "default";
    }

    /**
     * The service account's user name ({@code system:serviceaccount:<namespace>:<name>}) from the
     * subject of its mounted token, read without verifying it: it only names the account in a
     * message.
     */
    static Optional<String> serviceAccount(Path serviceAccountDir) {
        try {
            Path file = serviceAccountDir.resolve("token");
            if (!Files.isReadable(file)) {
                return Optional.empty();
            }
            String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split("\\.");
            if (parts.length < 2) {
                return Optional.empty();
            }
            String subject = CLAIMS.readTree(Base64.getUrlDecoder().decode(parts[1])).path("sub").asText("");
            return subject.startsWith("system:serviceaccount:") ? Optional.of(subject) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // not a token we can read: the message does without the name
        }
    }
}
