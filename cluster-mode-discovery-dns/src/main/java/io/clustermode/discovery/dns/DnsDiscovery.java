package io.clustermode.discovery.dns;

import io.clustermode.discovery.FailureLog;

import io.clustermode.discovery.DiscoveryService;
import io.clustermode.discovery.ServiceInstance;
import io.clustermode.discovery.ServicePort;
import io.clustermode.transport.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Discovery through DNS, on dnsjava: the A and AAAA records of a name with a configured port, or
 * its SRV records. In Kubernetes, a headless service's name resolves to the addresses of its
 * pods (with {@code publishNotReadyAddresses: true}, also of the pods not ready yet).
 *
 * <h2>What an instance is</h2>
 * <ul>
 *   <li>{@link DnsDiscoveryConfig.Mode#ADDRESS}: one instance per address, IPv4 and IPv6 alike;
 *       its only port is named {@value #PORT_NAME} and is the configured one; its id is
 *       {@code address:port} ({@code [v6]:port}).</li>
 *   <li>{@link DnsDiscoveryConfig.Mode#SRV}: one instance per record whose target is not
 *       {@code .}; its port (named {@value #PORT_NAME}) is the record's; its host is an address
 *       of the target, taken from the answer's additional section or else looked up (IPv4
 *       preferred), or the target name itself when neither gives one; its id is
 *       {@code target:port}, which stays the same when the target moves to another address.</li>
 * </ul>
 * Instances come sorted by id, so equal answers give equal lists. Nothing is cached: every call
 * asks the server (a resolver in front of it may cache, as DNS does).
 *
 * <h2>Failure</h2>
 * NXDOMAIN, SERVFAIL (or another error code) and no answer within the timeout throw a
 * {@link DnsLookupException} naming the name, the record type and the server: the caller keeps
 * its members, it does not read that as "every instance left". An answer without records is an
 * empty list. Each distinct failure is logged at WARN once, not at every poll; the first
 * success after failures is logged at INFO.
 *
 * <h2>Threading</h2>
 * {@link #instances()} blocks for the queries (each up to the configured timeout, per server)
 * and may be called from any thread; calls do not share state besides the failure log.
 * There is no watch: {@link #onChange(Runnable)} is ignored, the caller polls.
 */
public final class DnsDiscovery implements DiscoveryService {

    /** The name of the single port of every instance found. */
    public static final String PORT_NAME = "cluster";

    /** Metadata key: the name that was resolved. */
    public static final String META_NAME = "dns.name";
    /** Metadata key: the record type the instance comes from ({@code A}, {@code AAAA} or {@code SRV}). */
    public static final String META_TYPE = "dns.type";
    /** Metadata key (SRV): the record's target name. */
    public static final String META_TARGET = "dns.srv.target";
    /** Metadata key (SRV): the record's priority. */
    public static final String META_PRIORITY = "dns.srv.priority";
    /** Metadata key (SRV): the record's weight. */
    public static final String META_WEIGHT = "dns.srv.weight";
    /** Metadata key (SRV): every address found for the target, comma-separated; absent when none. */
    public static final String META_ADDRESSES = "dns.srv.addresses";

    private static final Logger LOG = LoggerFactory.getLogger(DnsDiscovery.class);

    /** A resolver follows CNAMEs itself; this bounds our own following when one does not. */
    private static final int MAX_CNAME_HOPS = 8;

    private final DnsDiscoveryConfig config;
    private final Name name;
    private final Resolver resolver;
    private final String serverText;
    private final FailureLog failures = new FailureLog(LOG);
    private volatile boolean closed;

    /**
     * Prepares the resolver; asks nothing yet.
     *
     * @param config what to resolve and where
     * @throws IllegalArgumentException when the configured server's host name cannot be resolved
     */
    public DnsDiscovery(DnsDiscoveryConfig config) {
        this.config = config;
        try {
            this.name = Name.fromString(config.name(), Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("name (--dns-name) is not a DNS name: '" + config.name() + "'", e);
        }
        if (config.server() != null) {
            HostPort hostPort = DnsDiscoveryConfig.parseServer(config.server());
            InetAddress address;
            try {
                address = InetAddress.getByName(hostPort.host());
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("server (--dns-server) '" + config.server()
                        + "': cannot resolve " + hostPort.host(), e);
            }
            SimpleResolver simple = new SimpleResolver(new InetSocketAddress(address, hostPort.port()));
            simple.setTimeout(config.timeout());
            this.resolver = simple;
            this.serverText = new HostPort(text(address), hostPort.port()).toString();
        } else {
            List<InetSocketAddress> servers = ResolverConfig.getCurrentConfig().servers();
            List<Resolver> resolvers = new ArrayList<>();
            for (InetSocketAddress server : servers) {
                SimpleResolver simple = new SimpleResolver(server);
                simple.setTimeout(config.timeout());
                resolvers.add(simple);
            }
            ExtendedResolver extended = resolvers.isEmpty() ? new ExtendedResolver() : new ExtendedResolver(resolvers);
            // the whole query may try each server once, each with the configured timeout
            extended.setTimeout(config.timeout().multipliedBy(Math.max(1, resolvers.size())));
            this.resolver = extended;
            this.serverText = "the system's DNS servers " + servers.stream()
                    .map(s -> new HostPort(text(s.getAddress()), s.getPort()).toString()).collect(Collectors.toList());
        }
    }

    /** The configuration this service was built from. */
    public DnsDiscoveryConfig config() {
        return config;
    }

    /**
     * Asks the DNS server now and returns the instances of its answer, sorted by id.
     *
     * @return the instances; empty when the name exists but has no records of the type asked
     * @throws DnsLookupException when the name does not exist, the server fails or refuses, or
     *                            no answer comes within the timeout
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public List<ServiceInstance> instances() throws DnsLookupException {
        if (closed) {
            throw new IllegalStateException("DNS discovery of " + config.name() + " is closed");
        }
        try {
            List<ServiceInstance> found = config.mode() == DnsDiscoveryConfig.Mode.SRV ? srvInstances() : addressInstances();
            failures.succeeded("DNS discovery of " + config.name() + " works again: " + found.size() + " instance(s)");
            return found;
        } catch (DnsLookupException e) {
            failures.failed(e.getMessage());
            throw e;
        }
    }

    /** Marks the service closed; dnsjava holds no per-resolver resources to release. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "DnsDiscovery[" + config.name() + " " + (config.mode() == DnsDiscoveryConfig.Mode.SRV ? "SRV"
                : "A/AAAA port " + config.port()) + " at " + serverText + "]";
    }

    /** The warnings logged so far (for tests). */
    List<String> warnings() {
        return failures.warnings();
    }

    private List<ServiceInstance> addressInstances() throws DnsLookupException {
        List<Record> records = addressRecords(name);
        Map<InetAddress, String> types = new TreeMap<>(ADDRESS_ORDER);
        for (Record record : records) {
            types.put(address(record), Type.string(record.getType()));
        }
        List<ServiceInstance> instances = new ArrayList<>();
        for (Map.Entry<InetAddress, String> entry : types.entrySet()) {
            String host = text(entry.getKey());
            Map<String, String> metadata = Map.of(META_NAME, config.name(), META_TYPE, entry.getValue());
            instances.add(new ServiceInstance(new HostPort(host, config.port()).toString(), config.serviceId(), host,
                    List.of(ServicePort.tcp(PORT_NAME, config.port())), false, null, "tcp", metadata));
        }
        return instances;
    }

    private List<ServiceInstance> srvInstances() throws DnsLookupException {
        Answer answer = lookup(name, Type.SRV);
        Map<String, ServiceInstance> byId = new TreeMap<>();
        for (Record record : answer.records()) {
            SRVRecord srv = (SRVRecord) record;
            if (srv.getTarget().equals(Name.root)) {
                continue; // "." says the service is decidedly not offered there
            }
            List<InetAddress> addresses = additionalAddresses(answer.response(), srv.getTarget());
            if (addresses.isEmpty()) {
                addresses = addressesOrNone(srv.getTarget());
            }
            String target = srv.getTarget().toString(true);
            String host = addresses.isEmpty() ? target : text(addresses.get(0));
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put(META_NAME, config.name());
            metadata.put(META_TYPE, "SRV");
            metadata.put(META_TARGET, target);
            metadata.put(META_PRIORITY, Integer.toString(srv.getPriority()));
            metadata.put(META_WEIGHT, Integer.toString(srv.getWeight()));
            if (!addresses.isEmpty()) {
                metadata.put(META_ADDRESSES, addresses.stream().map(DnsDiscovery::text).collect(Collectors.joining(",")));
            }
            String id = new HostPort(target, srv.getPort()).toString();
            byId.put(id, new ServiceInstance(id, config.serviceId(), host,
                    List.of(ServicePort.tcp(PORT_NAME, srv.getPort())), false, null, "tcp", metadata));
        }
        return List.copyOf(byId.values());
    }

    /** The target's addresses that the SRV answer brought along, sorted IPv4 first. */
    private static List<InetAddress> additionalAddresses(Message response, Name target) {
        return response.getSection(Section.ADDITIONAL).stream()
                .filter(r -> r.getName().equals(target) && (r.getType() == Type.A || r.getType() == Type.AAAA))
                .map(DnsDiscovery::address).distinct().sorted(ADDRESS_ORDER).collect(Collectors.toList());
    }

    /**
     * The target's addresses, looked up; none when the lookup fails. A target that does not
     * resolve here may still resolve where the transport connects, so it is kept by name rather
     * than failing the whole answer.
     */
    private List<InetAddress> addressesOrNone(Name target) {
        try {
            return addressRecords(target).stream().map(DnsDiscovery::address).distinct().sorted(ADDRESS_ORDER)
                    .collect(Collectors.toList());
        } catch (DnsLookupException e) {
            LOG.debug("SRV target {} kept by name: {}", target, e.getMessage());
            return List.of();
        }
    }

    /**
     * The A and AAAA records of {@code queried}. Both families must answer — a timeout or a
     * failure of one would otherwise drop half the members — except when the server refuses one
     * family outright (REFUSED or NOTIMP: dnsmasq refuses AAAA for names it holds only
     * A records of, unless told {@code --local}): then the other family's answer is the whole
     * answer, and the refusal is logged once.
     */
    private List<Record> addressRecords(Name queried) throws DnsLookupException {
        List<Record> records = new ArrayList<>();
        DnsLookupException refused = null;
        String answered = null;
        int[] types = config.recordTypes().size() == 2 ? new int[] {Type.A, Type.AAAA}
                : config.recordTypes().contains(DnsDiscoveryConfig.RecordType.A) ? new int[] {Type.A}
                : new int[] {Type.AAAA};
        for (int type : types) {
            try {
                records.addAll(lookup(queried, type).records());
                answered = Type.string(type);
            } catch (DnsLookupException e) {
                if (types.length == 1 || (e.reason() != DnsLookupException.Reason.REFUSED
                        && e.reason() != DnsLookupException.Reason.NOT_IMPLEMENTED)) {
                    throw e;
                }
                if (refused != null) {
                    throw refused; // both refused: nothing learned
                }
                refused = e;
            }
        }
        if (refused != null) {
            failures.noticed(refused.getMessage() + ": the server refuses that record type, so the " + answered
                    + " records alone name the instances (--dns-record-types " + answered + " asks for them alone)");
        }
        return records;
    }

    /** The records of {@code type} for {@code queried}, following CNAMEs the server left unresolved. */
    private Answer lookup(Name queried, int type) throws DnsLookupException {
        Name current = queried;
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            Message response = exchange(current, type, queried);
            List<Record> found = new ArrayList<>();
            Name alias = null;
            for (Record record : response.getSection(Section.ANSWER)) {
                if (record.getType() == type) {
                    found.add(record);
                } else if (record.getType() == Type.CNAME && record.getName().equals(current)) {
                    alias = ((CNAMERecord) record).getTarget();
                }
            }
            if (!found.isEmpty() || alias == null) {
                return new Answer(found, response);
            }
            current = alias;
        }
        throw new DnsLookupException(DnsLookupException.Reason.BAD_ANSWER, describe(queried, type)
                + " failed: more than " + MAX_CNAME_HOPS + " CNAMEs in a row", null);
    }

    /** One query and its answer; anything but NOERROR is an exception. */
    private Message exchange(Name asked, int type, Name queried) throws DnsLookupException {
        Message query = Message.newQuery(Record.newRecord(asked, type, DClass.IN));
        String what = describe(queried, type) + (asked.equals(queried) ? "" : " (via CNAME " + asked.toString(true) + ")");
        Message response;
        try {
            response = resolver.send(query);
        } catch (IOException e) {
            if (isTimeout(e)) {
                throw new DnsLookupException(DnsLookupException.Reason.TIMEOUT, what + " failed: no answer within "
                        + config.timeout().toMillis() + " ms", e);
            }
            throw new DnsLookupException(DnsLookupException.Reason.IO, what + " failed: " + e, e);
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.NOERROR) {
            return response;
        }
        if (rcode == Rcode.NXDOMAIN) {
            throw new DnsLookupException(DnsLookupException.Reason.NXDOMAIN, what
                    + " failed: NXDOMAIN, the name does not exist", null);
        }
        if (rcode == Rcode.SERVFAIL) {
            throw new DnsLookupException(DnsLookupException.Reason.SERVFAIL, what
                    + " failed: SERVFAIL, the server could not answer", null);
        }
        DnsLookupException.Reason reason = rcode == Rcode.REFUSED ? DnsLookupException.Reason.REFUSED
                : rcode == Rcode.NOTIMP ? DnsLookupException.Reason.NOT_IMPLEMENTED
                : DnsLookupException.Reason.ERROR_RCODE;
        throw new DnsLookupException(reason, what + " failed: " + Rcode.string(rcode), null);
    }

    private String describe(Name queried, int type) {
        return "DNS lookup of " + queried.toString(true) + " " + Type.string(type) + " at " + serverText;
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof TimeoutException
                    || (t.getMessage() != null && t.getMessage().startsWith("Timed out"))) {
                return true;
            }
        }
        return false;
    }

    private static InetAddress address(Record record) {
        return record instanceof ARecord ? ((ARecord) record).getAddress() : ((AAAARecord) record).getAddress();
    }

    /** IPv4 before IPv6, then by the address bytes: the order of the output. */
    private static final Comparator<InetAddress> ADDRESS_ORDER = Comparator
            .comparingInt((InetAddress a) -> a.getAddress().length)
            .thenComparing(InetAddress::getAddress, Arrays::compareUnsigned);

    /** An address as text, IPv6 in its short form (RFC 5952), as Kubernetes and most tools print it. */
    static String text(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] hextets = new int[8];
        for (int i = 0; i < 8; i++) {
            hextets[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero hextet is not shortened
        for (int i = 0; i < 8; ) {
            if (hextets[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && hextets[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(hextets[i]));
        }
        return text.toString();
    }

    /** The records of one type that a lookup found, and the response that held them. */
    private record Answer(List<Record> records, Message response) {
    }
}
