package io.clustermode.discovery.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@link KubernetesDiscovery} watches and how. Immutable; every value is checked on
 * construction and a bad one is refused with an {@link IllegalArgumentException} whose message
 * names the option (and the command line flag that sets it).
 *
 * <p>Start from {@link #of(String)} and adjust with the {@code with...} methods.
 *
 * @param service           the name of the Kubernetes Service whose endpoints are the instances
 *                          (a DNS-1035 label); also their service id
 * @param namespace         its namespace, or null for this pod's own: the {@code namespace} file
 *                          of {@code serviceAccountDir}, else {@code default}
 * @param portName          the name of the service port where the cluster transport listens
 *                          (default {@value #DEFAULT_PORT_NAME}); endpoints without it are not
 *                          instances
 * @param resyncPeriod      how old the watched state may grow before the next
 *                          {@link KubernetesDiscovery#instances()} lists everything again and
 *                          restarts the watch (a guard against a missed event); zero for never
 * @param client            the client to use, which the discovery then does not close; or null
 *                          for one configured the usual fabric8 way (in-cluster service account,
 *                          {@code KUBERNETES_MASTER} environment variable or system property,
 *                          {@code ~/.kube/config}), which the discovery closes
 * @param serviceAccountDir where Kubernetes mounts the pod's service account: its {@code namespace}
 *                          file gives the default namespace, its {@code token} the account's name
 *                          for messages (default {@link #DEFAULT_SERVICE_ACCOUNT_DIR})
 */
public record KubernetesDiscoveryConfig(String service, String namespace, String portName, Duration resyncPeriod,
                                        KubernetesClient client, Path serviceAccountDir) {

    /** The port name used when none is configured. */
    public static final String DEFAULT_PORT_NAME = "cluster";

    /** The resync period used when none is configured. */
    public static final Duration DEFAULT_RESYNC_PERIOD = Duration.ofSeconds(60);

    /** Where Kubernetes mounts a pod's service account. */
    public static final Path DEFAULT_SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    /** A Service name: lower case letters, digits and '-', starting with a letter (DNS-1035). */
    private static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    /** A namespace or port name: lower case letters, digits and '-' (DNS-1123 label). */
    private static final Pattern DNS_1123 = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /**
     * @throws IllegalArgumentException naming the first option that is missing or malformed
     */
    public KubernetesDiscoveryConfig {
        if (service == null || !DNS_1035.matcher(service).matches()) {
            throw new IllegalArgumentException("service (--k8s-service) must be a Kubernetes service name (lower case"
                    + " letters, digits and '-', starting with a letter, at most 63), was " + quoted(service));
        }
        if (namespace != null && !DNS_1123.matcher(namespace).matches()) {
            throw new IllegalArgumentException("namespace (--k8s-namespace) must be a Kubernetes namespace name (lower"
                    + " case letters, digits and '-', at most 63), was " + quoted(namespace));
        }
        if (portName == null || !DNS_1123.matcher(portName).matches()) {
            throw new IllegalArgumentException("portName (--k8s-port-name) must be a Kubernetes port name (lower case"
                    + " letters, digits and '-', at most 63), was " + quoted(portName));
        }
        if (resyncPeriod == null || resyncPeriod.isNegative()) {
            throw new IllegalArgumentException("resyncPeriod must be zero or positive, was " + resyncPeriod);
        }
        Objects.requireNonNull(serviceAccountDir, "serviceAccountDir");
    }

    /**
     * Watches {@code service} in this pod's namespace, port {@value #DEFAULT_PORT_NAME}, resync
     * every {@link #DEFAULT_RESYNC_PERIOD}, with an automatically configured client.
     */
    public static KubernetesDiscoveryConfig of(String service) {
        return new KubernetesDiscoveryConfig(service, null, DEFAULT_PORT_NAME, DEFAULT_RESYNC_PERIOD, null,
                DEFAULT_SERVICE_ACCOUNT_DIR);
    }

    /** This configuration in another namespace (null: this pod's own). */
    public KubernetesDiscoveryConfig withNamespace(String namespace) {
        return new KubernetesDiscoveryConfig(service, namespace, portName, resyncPeriod, client, serviceAccountDir);
    }

    /** This configuration with another transport port name. */
    public KubernetesDiscoveryConfig withPortName(String portName) {
        return new KubernetesDiscoveryConfig(service, namespace, portName, resyncPeriod, client, serviceAccountDir);
    }

    /** This configuration with another resync period (zero: never). */
    public KubernetesDiscoveryConfig withResyncPeriod(Duration resyncPeriod) {
        return new KubernetesDiscoveryConfig(service, namespace, portName, resyncPeriod, client, serviceAccountDir);
    }

    /** This configuration using {@code client} (null: one configured automatically). */
    public KubernetesDiscoveryConfig withClient(KubernetesClient client) {
        return new KubernetesDiscoveryConfig(service, namespace, portName, resyncPeriod, client, serviceAccountDir);
    }

    /** This configuration reading the service account from another directory. */
    public KubernetesDiscoveryConfig withServiceAccountDir(Path serviceAccountDir) {
        return new KubernetesDiscoveryConfig(service, namespace, portName, resyncPeriod, client, serviceAccountDir);
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }
}
