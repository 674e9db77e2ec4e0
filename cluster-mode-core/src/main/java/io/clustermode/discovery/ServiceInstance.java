package io.clustermode.discovery;

import io.clustermode.transport.HostPort;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One running instance of the application, as a discovery service sees it — the model of the
 * origin (after Spring Cloud's {@code ServiceInstance}).
 *
 * @param instanceId an id the discovery service gives the instance (a pod name, an address);
 *                   not the Raft node id, which the node itself tells
 * @param serviceId  the service the instance belongs to
 * @param host       the host name or address where it listens
 * @param ports      its ports
 * @param secure     whether it speaks TLS
 * @param uri        its base URI, when there is one; may be null
 * @param scheme     the URI scheme, such as {@code tcp} or {@code https}; may be empty
 * @param metadata   labels and annotations, sorted by key
 */
public record ServiceInstance(String instanceId, String serviceId, String host, List<ServicePort> ports,
                              boolean secure, URI uri, String scheme, Map<String, String> metadata) {

    /** Copies {@code ports} and {@code metadata}; every value is required. */
    public ServiceInstance {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(scheme, "scheme");
        ports = List.copyOf(ports);
        metadata = Map.copyOf(metadata);
    }

    /** The port with this name, if the instance has one. */
    public Optional<ServicePort> port(String name) {
        return ports.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Where the cluster transport of this instance listens, as {@code host:port}: the port named
     * {@code portName}, else the only port when there is exactly one; empty without such a port,
     * or when the host is blank (nothing to connect to).
     */
    public Optional<String> transportAddress(String portName) {
        Optional<ServicePort> port = port(portName);
        if (port.isEmpty() && ports.size() == 1) {
            port = Optional.of(ports.get(0));
        }
        if (host.isBlank()) {
            return Optional.empty();
        }
        return port.map(p -> new HostPort(host, p.number()).toString());
    }
}
