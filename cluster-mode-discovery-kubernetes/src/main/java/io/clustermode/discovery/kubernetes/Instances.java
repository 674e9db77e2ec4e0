package io.clustermode.discovery.kubernetes;

import io.clustermode.discovery.ServiceInstance;
import io.clustermode.discovery.ServicePort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns EndpointSlices, or an Endpoints object, into instances. Pure functions; problems that do
 * not stop the conversion (a slice without the transport port) go to {@code notice}.
 */
final class Instances {

    private Instances() {
    }

    /**
     * The ready, serving, not terminating endpoints of the slices that have the transport port,
     * one instance per id (a pod in an IPv4 and an IPv6 slice, or briefly in two slices while
     * they are rebalanced, is one instance: its IPv4 form is kept), sorted by id.
     */
    static List<ServiceInstance> fromSlices(List<EndpointSlice> slices, String serviceId, String portName,
                                            Consumer<String> notice) {
        List<EndpointSlice> ordered = new ArrayList<>(slices);
        // IPv4 slices first, so a dual-stack pod keeps its IPv4 address; then by name, for a stable choice
        ordered.sort(Comparator.comparingInt((EndpointSlice s) -> addressTypeRank(s.getAddressType()))
                .thenComparing(s -> s.getMetadata().getName()));
        Map<String, ServiceInstance> byId = new TreeMap<>();
        for (EndpointSlice slice : ordered) {
            List<ServicePort> ports = new ArrayList<>();
            if (slice.getPorts() != null) {
                for (var port : slice.getPorts()) {
                    if (port.getPort() != null) { // no number: "all ports", which names no transport port
                        ports.add(port(port.getName(), port.getPort(), port.getProtocol(), port.getAppProtocol()));
                    }
                }
            }
            List<Endpoint> endpoints = slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
            if (!hasPort(ports, portName)) {
                if (!endpoints.isEmpty()) {
                    notice.accept("EndpointSlice " + slice.getMetadata().getName() + " of service '" + serviceId
                            + "' has no port named '" + portName + "' (it has " + names(ports) + "): its "
                            + endpoints.size() + " endpoint(s) are not instances. Name the service's cluster port '"
                            + portName + "', or set the port name (--k8s-port-name).");
                }
                continue;
            }
            for (Endpoint endpoint : endpoints) {
                if (!usable(endpoint.getConditions()) || endpoint.getAddresses() == null
                        || endpoint.getAddresses().isEmpty()) {
                    continue;
                }
                // the addresses of one endpoint are fungible; Kubernetes itself uses the first
                String address = endpoint.getAddresses().get(0);
                Map<String, String> metadata = new LinkedHashMap<>();
                put(metadata, KubernetesDiscovery.META_ADDRESS_TYPE, slice.getAddressType());
                put(metadata, KubernetesDiscovery.META_NODE_NAME, endpoint.getNodeName());
                put(metadata, KubernetesDiscovery.META_ZONE, endpoint.getZone());
                put(metadata, KubernetesDiscovery.META_HOSTNAME, endpoint.getHostname());
                putTargetRef(metadata, endpoint.getTargetRef());
                ServiceInstance instance = instance(id(endpoint.getTargetRef(), address), serviceId, address, ports,
                        metadata);
                byId.putIfAbsent(instance.instanceId(), instance);
            }
        }
        return List.copyOf(byId.values());
    }

    /**
     * The ready addresses ({@code notReadyAddresses} are left out) of the subsets that have the
     * transport port, one instance per id, sorted by id. Null (no Endpoints object) gives none.
     */
    static List<ServiceInstance> fromEndpoints(Endpoints endpoints, String serviceId, String portName,
                                               Consumer<String> notice) {
        Map<String, ServiceInstance> byId = new TreeMap<>();
        if (endpoints == null || endpoints.getSubsets() == null) {
            return List.of();
        }
        for (EndpointSubset subset : endpoints.getSubsets()) {
            List<ServicePort> ports = new ArrayList<>();
            if (subset.getPorts() != null) {
                for (var port : subset.getPorts()) {
                    if (port.getPort() != null) {
                        ports.add(port(port.getName(), port.getPort(), port.getProtocol(), port.getAppProtocol()));
                    }
                }
            }
            List<EndpointAddress> addresses = subset.getAddresses() == null ? List.of() : subset.getAddresses();
            if (!hasPort(ports, portName)) {
                if (!addresses.isEmpty()) {
                    notice.accept("Endpoints " + endpoints.getMetadata().getName() + " of service '" + serviceId
                            + "' have a subset without a port named '" + portName + "' (it has " + names(ports)
                            + "): its " + addresses.size() + " address(es) are not instances. Name the service's"
                            + " cluster port '" + portName + "', or set the port name (--k8s-port-name).");
                }
                continue;
            }
            for (EndpointAddress address : addresses) {
                if (address.getIp() == null || address.getIp().isEmpty()) {
                    continue;
                }
                Map<String, String> metadata = new LinkedHashMap<>();
                put(metadata, KubernetesDiscovery.META_ADDRESS_TYPE, address.getIp().contains(":") ? "IPv6" : "IPv4");
                put(metadata, KubernetesDiscovery.META_NODE_NAME, address.getNodeName());
                put(metadata, KubernetesDiscovery.META_HOSTNAME, address.getHostname());
                putTargetRef(metadata, address.getTargetRef());
                ServiceInstance instance = instance(id(address.getTargetRef(), address.getIp()), serviceId,
                        address.getIp(), ports, metadata);
                byId.putIfAbsent(instance.instanceId(), instance);
            }
        }
        return List.copyOf(byId.values());
    }

    /**
     * Ready when {@code ready} is true or unknown (null: Kubernetes says to read it as ready),
     * {@code serving} not false, and not {@code terminating}: a pod on its way out must not be
     * added back as a member.
     */
    static boolean usable(EndpointConditions conditions) {
        if (conditions == null) {
            return true;
        }
        return !Boolean.FALSE.equals(conditions.getReady()) && !Boolean.FALSE.equals(conditions.getServing())
                && !Boolean.TRUE.equals(conditions.getTerminating());
    }

    private static ServiceInstance instance(String id, String serviceId, String host, List<ServicePort> ports,
                                            Map<String, String> metadata) {
        return new ServiceInstance(id, serviceId, host, ports, false, null, "tcp", metadata);
    }

    /** The pod's name when the endpoint points at one (stable across restarts in a StatefulSet), else the address. */
    private static String id(ObjectReference targetRef, String address) {
        if (targetRef != null && targetRef.getName() != null && !targetRef.getName().isEmpty()) {
            return targetRef.getName();
        }
        return address;
    }

    private static ServicePort port(String name, int number, String protocol, String appProtocol) {
        return new ServicePort(name == null ? "" : name, number, protocol == null ? "TCP" : protocol,
                appProtocol == null ? "" : appProtocol);
    }

    private static boolean hasPort(List<ServicePort> ports, String name) {
        return ports.stream().anyMatch(p -> p.name().equals(name));
    }

    private static String names(List<ServicePort> ports) {
        if (ports.isEmpty()) {
            return "no ports";
        }
        List<String> names = new ArrayList<>();
        for (ServicePort port : ports) {
            names.add((port.name().isEmpty() ? "(unnamed)" : "'" + port.name() + "'") + " " + port.number());
        }
        return String.join(", ", names);
    }

    private static int addressTypeRank(String addressType) {
        if ("IPv4".equals(addressType)) {
            return 0;
        }
        return "IPv6".equals(addressType) ? 1 : 2;
    }

    private static void putTargetRef(Map<String, String> metadata, ObjectReference targetRef) {
        if (targetRef != null) {
            put(metadata, KubernetesDiscovery.META_TARGET_KIND, targetRef.getKind());
            put(metadata, KubernetesDiscovery.META_TARGET_NAME, targetRef.getName());
            put(metadata, KubernetesDiscovery.META_TARGET_NAMESPACE, targetRef.getNamespace());
            put(metadata, KubernetesDiscovery.META_TARGET_UID, targetRef.getUid());
        }
    }

    private static void put(Map<String, String> metadata, String key, String value) {
        if (value != null && !value.isEmpty()) {
            metadata.put(key, value);
        }
    }
}
