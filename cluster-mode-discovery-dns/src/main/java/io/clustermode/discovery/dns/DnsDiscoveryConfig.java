package io.clustermode.discovery.dns;

import io.clustermode.transport.HostPort;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link DnsDiscovery} resolves and how. Immutable; every value is checked on construction
 * and a bad one is refused with an {@link IllegalArgumentException} whose message names the
 * option (and the command line flag that sets it).
 *
 * <p>Start from {@link #addresses(String)} or {@link #srv(String)} and adjust with the
 * {@code with...} methods.
 *
 * @param name      the DNS name to resolve, taken as fully qualified (no search list is applied):
 *                  in Kubernetes the headless service's {@code <service>.<namespace>.svc.cluster.local};
 *                  in {@link Mode#SRV} mode a name such as {@code _cluster._tcp.<service>...}
 * @param mode      {@link Mode#ADDRESS} (A and AAAA records, with {@code port}) or {@link Mode#SRV}
 * @param port      the cluster transport port of every instance in {@link Mode#ADDRESS} mode, 1 to
 *                  65535 (default {@value #DEFAULT_PORT}); unused in {@link Mode#SRV} mode, whose
 *                  records carry their own ports
 * @param server    the DNS server to ask, as {@code host:port} (IPv6 in brackets; the port defaults
 *                  to 53), or null for the servers the system is configured with
 * @param timeout   how long to wait for one DNS server to answer one query; positive
 * @param serviceId the {@link io.clustermode.discovery.ServiceInstance#serviceId() service id} of
 *                  the instances found (default: the name)
 */
public record DnsDiscoveryConfig(String name, Mode mode, int port, String server, Duration timeout,
                                 String serviceId) {

    /** The transport port used in {@link Mode#ADDRESS} mode when none is configured. */
    public static final int DEFAULT_PORT = 7600;

    /** How long a DNS server has to answer when no timeout is configured. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Which records make the instances. */
    public enum Mode {
        /** A and AAAA records: one instance per address, every one on the configured port. */
        ADDRESS,
        /** SRV records: one instance per record, its host the record's target, its port the record's. */
        SRV
    }

    /**
     * @throws IllegalArgumentException naming the first option that is missing or out of range
     */
    public DnsDiscoveryConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name (--dns-name) must be a DNS name, was " + quoted(name));
        }
        name = name.trim();
        try {
            Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("name (--dns-name) is not a DNS name: '" + name + "' ("
                    + e.getMessage() + ")", e);
        }
        Objects.requireNonNull(mode, "mode (A/AAAA or SRV, --dns-srv) must be given");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port (--dns-port) must be 1 to 65535, was " + port);
        }
        if (server != null) {
            server = server.trim();
            parseServer(server); // refuses a malformed one now rather than at the first lookup
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (serviceId == null || serviceId.isBlank()) {
            throw new IllegalArgumentException("serviceId must not be empty, was " + quoted(serviceId));
        }
    }

    /**
     * A and AAAA records of {@code name}, port {@value #DEFAULT_PORT}, the system's DNS servers,
     * timeout {@link #DEFAULT_TIMEOUT}, service id {@code name}.
     */
    public static DnsDiscoveryConfig addresses(String name) {
        return new DnsDiscoveryConfig(name, Mode.ADDRESS, DEFAULT_PORT, null, DEFAULT_TIMEOUT, blankToId(name));
    }

    /**
     * SRV records of {@code name}, the system's DNS servers, timeout {@link #DEFAULT_TIMEOUT},
     * service id {@code name}.
     */
    public static DnsDiscoveryConfig srv(String name) {
        return new DnsDiscoveryConfig(name, Mode.SRV, DEFAULT_PORT, null, DEFAULT_TIMEOUT, blankToId(name));
    }

    /** This configuration with another transport port ({@link Mode#ADDRESS} mode). */
    public DnsDiscoveryConfig withPort(int port) {
        return new DnsDiscoveryConfig(name, mode, port, server, timeout, serviceId);
    }

    /** This configuration asking {@code server} ({@code host:port}, or null for the system's servers). */
    public DnsDiscoveryConfig withServer(String server) {
        return new DnsDiscoveryConfig(name, mode, port, server, timeout, serviceId);
    }

    /** This configuration with another per-query timeout. */
    public DnsDiscoveryConfig withTimeout(Duration timeout) {
        return new DnsDiscoveryConfig(name, mode, port, server, timeout, serviceId);
    }

    /** This configuration with another service id. */
    public DnsDiscoveryConfig withServiceId(String serviceId) {
        return new DnsDiscoveryConfig(name, mode, port, server, timeout, serviceId);
    }

    /** Host and port of {@code server}; the port is 53 when not given. */
    static HostPort parseServer(String server) {
        return HostPort.parse("server (--dns-server)", server, 53);
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }

    private static String blankToId(String name) {
        // lets the constructor report the bad name rather than the service id derived from it
        return name == null || name.isBlank() ? "-" : name.trim();
    }
}
