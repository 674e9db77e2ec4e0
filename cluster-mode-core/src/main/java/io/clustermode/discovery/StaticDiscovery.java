package io.clustermode.discovery;

import io.clustermode.transport.HostPort;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fixed list of transport addresses ({@code host:port}), such as the {@code --seeds} of the
 * command line. The list may include this node itself.
 */
public final class StaticDiscovery implements DiscoveryService {

    /** The name of the port every static instance gets. */
    public static final String PORT_NAME = "cluster";

    private final List<ServiceInstance> instances;

    /**
     * @param serviceId the service the instances belong to
     * @param addresses {@code host:port} each; IPv6 hosts in brackets
     * @throws IllegalArgumentException naming the first address that is not {@code host:port} (as {@code seeds})
     */
    public StaticDiscovery(String serviceId, List<String> addresses) {
        List<ServiceInstance> list = new ArrayList<>();
        for (String address : addresses) {
            HostPort parsed = HostPort.parse("seeds", address);
            list.add(new ServiceInstance(address, serviceId, parsed.host(),
                    List.of(ServicePort.tcp(PORT_NAME, parsed.port())), false, null, "tcp", Map.of()));
        }
        this.instances = List.copyOf(list);
    }

    @Override
    public List<ServiceInstance> instances() {
        return instances;
    }
}
