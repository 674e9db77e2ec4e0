package io.clustermode.discovery;

import java.util.Objects;

/**
 * One port of a service instance, as discovery services describe it (Kubernetes' named ports,
 * DNS SRV records).
 *
 * @param name        the port's name, such as {@code cluster}; may be empty
 * @param number      the port number, 1 to 65535
 * @param protocol    the transport protocol, such as {@code TCP}
 * @param appProtocol the application protocol, such as {@code http}; may be empty
 */
public record ServicePort(String name, int number, String protocol, String appProtocol) {

    /** @throws IllegalArgumentException when the port is outside 1..65535 */
    public ServicePort {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(appProtocol, "appProtocol");
        if (number < 1 || number > 65_535) {
            throw new IllegalArgumentException("port number must be 1 to 65535, was " + number);
        }
    }

    /** A TCP port with a name and no application protocol. */
    public static ServicePort tcp(String name, int number) {
        return new ServicePort(name, number, "TCP", "");
    }
}
