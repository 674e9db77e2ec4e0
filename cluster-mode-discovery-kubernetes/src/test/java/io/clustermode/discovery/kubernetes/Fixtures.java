package io.clustermode.discovery.kubernetes;

import io.clustermode.discovery.ServiceInstance;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/** Kubernetes objects and paths for the tests. */
final class Fixtures {

    static final String NS = "ns";
    static final String SERVICE = "cluster-mode";
    static final String SLICES_PATH = "/apis/discovery.k8s.io/v1/namespaces/" + NS + "/endpointslices";
    static final String SLICES_LIST = SLICES_PATH + "?labelSelector=kubernetes.io%2Fservice-name%3D" + SERVICE;
    static final String ENDPOINTS_LIST = "/api/v1/namespaces/" + NS + "/endpoints?fieldSelector=metadata.name%3D" + SERVICE;

    private Fixtures() {
    }

    static EndpointSlice slice(String name, String addressType, List<EndpointPort> ports, Endpoint... endpoints) {
        return slice(NS, name, addressType, ports, endpoints);
    }

    static EndpointSlice slice(String namespace, String name, String addressType, List<EndpointPort> ports,
                               Endpoint... endpoints) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(KubernetesDiscovery.SERVICE_NAME_LABEL, SERVICE).endMetadata()
                .withAddressType(addressType).withPorts(ports).withEndpoints(endpoints).build();
    }

    static List<EndpointPort> ports(String clusterPortName) {
        return List.of(port(clusterPortName, 7600), port("http", 8600));
    }

    static EndpointPort port(String name, int number) {
        return new EndpointPortBuilder().withName(name).withPort(number).withProtocol("TCP").build();
    }

    /** A ready, serving, not terminating endpoint of pod {@code pod}. */
    static Endpoint ready(String pod, String address) {
        return endpoint(pod, address, true, true, false);
    }

    static Endpoint endpoint(String pod, String address, Boolean ready, Boolean serving, Boolean terminating) {
        return new EndpointBuilder().withAddresses(address)
                .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating).endConditions()
                .withNodeName("node-" + pod).withZone("zone-a").withHostname(pod)
                .withNewTargetRef().withKind("Pod").withName(pod).withNamespace(NS).withUid("uid-" + pod).endTargetRef()
                .build();
    }

    static EndpointAddress address(String pod, String ip) {
        return new EndpointAddressBuilder().withIp(ip).withNodeName("node-" + pod).withHostname(pod)
                .withNewTargetRef().withKind("Pod").withName(pod).withNamespace(NS).endTargetRef().build();
    }

    static Status status(int code, String reason, String message) {
        return new StatusBuilder().withApiVersion("v1").withKind("Status").withStatus("Failure").withCode(code)
                .withReason(reason).withMessage(message).build();
    }

    /** A service account directory as Kubernetes mounts it: namespace and a token for {@code account}. */
    static Path serviceAccountDir(Path dir, String namespace, String account) throws IOException {
        Files.writeString(dir.resolve("namespace"), namespace);
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"k\"}".getBytes(StandardCharsets.UTF_8));
        String claims = base64.encodeToString(("{\"aud\":[\"https://kubernetes.default.svc\"],\"sub\":"
                + "\"system:serviceaccount:" + namespace + ":" + account + "\"}").getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("token"), header + "." + claims + ".c2lnbmF0dXJl");
        return dir;
    }

    static List<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::instanceId).toList();
    }
}
