package io.clustermode.discovery.dns;

import io.clustermode.transport.HostPort;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
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
 * @param recordTypes which address records to ask for in {@link Mode#ADDRESS} mode ({@code --dns-record-types});
 *                  default both, A and AAAA
 */
public record DnsDiscoveryConfig(String name, Mode mode, int port, String server, Duration timeout,
                                 String serviceId, Set<RecordType> recordTypes) {

    /** The transport port used in {@link Mode#ADDRESS} mode when none is configured. */
    public static final int DEFAULT_PORT = 7600;

    /** How long a DNS server has to answer when no timeout is configured. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** An address record type. */
    public enum RecordType {
        /** IPv4 addresses. */
        A,
        /** IPv6 addresses. */
        AAAA
    }

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
        if (recordTypes == null || recordTypes.isEmpty()) {
            throw new IllegalArgumentException("recordTypes (--dns-record-types) must name A, AAAA or both, was "
                    + recordTypes);
        }
        recordTypes = Collections.unmodifiableSet(EnumSet.copyOf(recordTypes));
    }

    /**
     * A and AAAA records of {@code name}, port {@value #DEFAULT_PORT}, the system's DNS servers,
     * timeout {@link #DEFAULT_TIMEOUT}, service id {@code name}.
     */
    public static DnsDiscoveryConfig addresses(String name) {
        return new DnsDiscoveryConfig(name, Mode.ADDRESS, DEFAULT_PORT, null, DEFAULT_TIMEOUT, blankToId(name),
                EnumSet.allOf(RecordType.class));
    }

    /**
     * SRV records of {@code name}, the system's DNS servers, timeout {@link #DEFAULT_TIMEOUT},
     * service id {@code name}.
     */
    public static DnsDiscoveryConfig srv(String name) {
        return new DnsDiscoveryConfig(name, Mode.SRV, DEFAULT_PORT, null, DEFAULT_TIMEOUT, blankToId(name),
                EnumSet.allOf(RecordType.class));
    }

    /** This configuration with another transport port ({@link Mode#ADDRESS} mode). */
    public DnsDiscoveryConfig withPort(int port) {
        return new DnsDiscoveryConfig(name, mode, port, server, timeout, serviceId, recordTypes);
    }

    /** This configuration asking {@code server} ({@code host:port}, or null for the system's servers). */
    public DnsDiscoveryConfig withServer(String server) {
        return new DnsDiscoveryConfig(name, mode, port, server, timeout, serviceId, recordTypes);
    }

    /** This configuration with another per-query timeout. */
    public DnsDiscoveryConfig withTimeout(Duration timeout) {
        return new DnsDiscoveryConfig(name, mode, port, server, timeout, serviceId, recordTypes);
    }

    /** This configuration asking only for these address record types ({@link Mode#ADDRESS} mode). */
    public DnsDiscoveryConfig withRecordTypes(Set<RecordType> types) {
        return new DnsDiscoveryConfig(name, mode, port, server, timeout, serviceId, types);
    }

    /**
     * Reads {@code --dns-record-types}: {@code A}, {@code AAAA} or {@code A,AAAA} (any case).
     *
     * @throws IllegalArgumentException naming the option and the value
     */
    public static Set<RecordType> parseRecordTypes(String text) {
        Set<RecordType> types = EnumSet.noneOf(RecordType.class);
        for (String part : text.split(",", -1)) {
            try {
                types.add(RecordType.valueOf(part.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--dns-record-types must be A, AAAA or A,AAAA, was '" + text + "'");
            }
        }
        return types;
    }

    /** This configuration with another service id. */
    public DnsDiscoveryConfig withServiceId(String serviceId) {
        return new DnsDiscoveryConfig(name, mode, port, server, timeout, serviceId, recordTypes);
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
