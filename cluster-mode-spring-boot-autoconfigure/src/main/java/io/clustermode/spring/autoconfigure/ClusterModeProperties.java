package io.clustermode.spring.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.ClassUtils;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code cluster-mode.*} properties: every option of {@code ClusterConfig} and of the
 * discovery back-ends, named as the command line names them ({@code --min-nodes} is
 * {@code cluster-mode.min-nodes}). Durations without a unit are milliseconds, as on the command
 * line ({@code 100}, {@code 100ms} and {@code 0.1s} are the same).
 *
 * <p>Checked when bound: a bad value stops the application at start with a message that names
 * the property (for example {@code cluster-mode.max-nodes (2) must be at least
 * cluster-mode.min-nodes (3)}). The checks are the library's own ({@code ClusterConfig},
 * the DNS and Kubernetes discovery configurations), with the properties' names put in.
 */
@ConfigurationProperties(prefix = "cluster-mode")
public class ClusterModeProperties implements Validator {

    /** Whether the application joins a cluster: false switches the whole auto-configuration off. */
    private boolean enabled = true;

    /** The cluster's name; nodes refuse peers of another name. */
    private String clusterName = "cluster-mode";

    /**
     * This node's id (1 to 128 characters). Default: the one kept in the data dir, else a random
     * one per start.
     */
    private String nodeId;

    /**
     * Where the cluster transport listens, host:port (IPv6 in brackets). When the host is a concrete
     * address, connections to peers leave from it too. A host other than loopback needs a cluster
     * secret or mutual TLS (or insecure).
     */
    private String bind = "0.0.0.0:7600";

    /**
     * The host:port peers use to reach this node. Default: the bind address; when bound to all
     * interfaces, the host's first non-loopback IPv4 address.
     */
    private String advertise;

    /**
     * Durable state: log, term, vote, snapshots (created 0700). Default: none, the state is kept
     * in memory and each start is a new node.
     */
    private Path dataDir;

    /** Where peers come from: static (the seeds), dns or kubernetes. */
    private Discovery discovery = Discovery.STATIC;

    /** Static discovery: the transport addresses (host:port) of the instances, comma-separated; may include this node. */
    private List<String> seeds = new ArrayList<>();

    /** No primary is elected before this many members are known (origin: min_node). */
    private int minNodes = 3;

    /** Members beyond this many are refused (origin: max_node). */
    private int maxNodes = 20;

    /** How many members vote (kept odd, at most the member count); the others are learners. */
    private int voters = 5;

    /** The primary's heartbeat; at most a third of the election timeout. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration heartbeatInterval = Duration.ofMillis(100);

    /** Silence before a secondary starts an election, randomized up to twice this; at least 30 ms. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration electionTimeout = Duration.ofSeconds(1);

    /** How often discovery is polled and the membership reconciled (origin: update_interval). */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration updateInterval = Duration.ofSeconds(5);

    /** Limit for connecting to a peer and completing the handshake (origin: connection_timeout). */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration connectionTimeout = Duration.ofSeconds(3);

    /**
     * How long a member must be missing from discovery and unreachable before it is removed.
     * Default: six update intervals.
     */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration removalGrace;

    /**
     * A file holding the cluster's shared secret (at least 16 bytes; trailing white space is
     * ignored). Peers prove they hold it to each other in the handshake, both ways, before any
     * message is read.
     */
    private Path clusterSecretFile;

    /**
     * Allow a bind address other than loopback with neither mutual TLS nor a cluster secret:
     * anyone who reaches the port can then speak as any node. Default false: such a node
     * refuses to start.
     */
    private boolean insecure;

    /** TLS between nodes. */
    private final Tls tls = new Tls();

    /** DNS discovery (cluster-mode.discovery=dns). */
    private final Dns dns = new Dns();

    /** Kubernetes discovery (cluster-mode.discovery=kubernetes). */
    private final Kubernetes kubernetes = new Kubernetes();

    /** Health-gated primacy: the health checks that decide whether this node may stay primary. */
    private final Health health = new Health();

    /** Where peers come from. */
    public enum Discovery {
        /** A fixed list: {@code cluster-mode.seeds}. */
        STATIC,
        /** A DNS name's A/AAAA or SRV records: {@code cluster-mode.dns.*}. */
        DNS,
        /** A Kubernetes Service's endpoints: {@code cluster-mode.kubernetes.*}. */
        KUBERNETES
    }

    /** An address record type of DNS discovery. */
    public enum RecordType {
        /** IPv4 addresses. */
        A,
        /** IPv6 addresses. */
        AAAA
    }

    /** TLS between nodes, from PEM files: cert and key together; mutual with ca. */
    public static class Tls {

        /** This node's certificate (PEM). */
        private Path cert;

        /** Its private key (PEM). */
        private Path key;

        /**
         * The CA of the peers (PEM): mutual TLS, and a peer's certificate must then name the node
         * id it claims (CN or a DNS/URI alternative name).
         */
        private Path ca;

        /** @return this node's certificate (PEM) */
        public Path getCert() {
            return cert;
        }

        /** @param cert this node's certificate (PEM) */
        public void setCert(Path cert) {
            this.cert = cert;
        }

        /** @return its private key (PEM) */
        public Path getKey() {
            return key;
        }

        /** @param key its private key (PEM) */
        public void setKey(Path key) {
            this.key = key;
        }

        /** @return the CA of the peers (PEM) */
        public Path getCa() {
            return ca;
        }

        /** @param ca the CA of the peers (PEM) */
        public void setCa(Path ca) {
            this.ca = ca;
        }
    }

    /** DNS discovery. */
    public static class Dns {

        /**
         * The name whose A/AAAA (or, with srv, SRV) records are the instances, taken as fully
         * qualified: for a Kubernetes headless service, service.namespace.svc.cluster.local.
         */
        private String name;

        /** Read SRV records (with their ports) instead of A/AAAA. */
        private boolean srv;

        /** The resolver to ask, host:port (port 53 when left out). Default: the system's. */
        private String server;

        /** The transport port of every instance found through A/AAAA records. */
        private int port = 7600;

        /** Which address records to ask for: A, AAAA or both. */
        private Set<RecordType> recordTypes = EnumSet.allOf(RecordType.class);

        /** How long one DNS server has to answer one query. */
        @DurationUnit(ChronoUnit.MILLIS)
        private Duration timeout = Duration.ofSeconds(5);

        /** @return the name to resolve */
        public String getName() {
            return name;
        }

        /** @param name the name to resolve */
        public void setName(String name) {
            this.name = name;
        }

        /** @return whether SRV records are read */
        public boolean isSrv() {
            return srv;
        }

        /** @param srv whether SRV records are read */
        public void setSrv(boolean srv) {
            this.srv = srv;
        }

        /** @return the resolver, host:port; null for the system's */
        public String getServer() {
            return server;
        }

        /** @param server the resolver, host:port; null for the system's */
        public void setServer(String server) {
            this.server = server;
        }

        /** @return the transport port for A/AAAA answers */
        public int getPort() {
            return port;
        }

        /** @param port the transport port for A/AAAA answers */
        public void setPort(int port) {
            this.port = port;
        }

        /** @return the address record types asked for */
        public Set<RecordType> getRecordTypes() {
            return recordTypes;
        }

        /** @param recordTypes the address record types to ask for */
        public void setRecordTypes(Set<RecordType> recordTypes) {
            this.recordTypes = recordTypes;
        }

        /** @return the per-query timeout */
        public Duration getTimeout() {
            return timeout;
        }

        /** @param timeout the per-query timeout */
        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** Kubernetes discovery: watched EndpointSlices (Endpoints as a fallback); needs get/list/watch on them. */
    public static class Kubernetes {

        /** The Service whose ready endpoints are the instances. */
        private String service;

        /** Its namespace. Default: the pod's own, else default. */
        private String namespace;

        /** Which named port of the Service is the cluster transport. */
        private String portName = "cluster";

        /** How old the watched state may grow before it is listed again in full (0: never). */
        @DurationUnit(ChronoUnit.MILLIS)
        private Duration resyncPeriod = Duration.ofSeconds(60);

        /** @return the Service's name */
        public String getService() {
            return service;
        }

        /** @param service the Service's name */
        public void setService(String service) {
            this.service = service;
        }

        /** @return its namespace; null for the pod's own */
        public String getNamespace() {
            return namespace;
        }

        /** @param namespace its namespace; null for the pod's own */
        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        /** @return the name of the transport port */
        public String getPortName() {
            return portName;
        }

        /** @param portName the name of the transport port */
        public void setPortName(String portName) {
            this.portName = portName;
        }

        /** @return the resync period (zero: never) */
        public Duration getResyncPeriod() {
            return resyncPeriod;
        }

        /** @param resyncPeriod the resync period (zero: never) */
        public void setResyncPeriod(Duration resyncPeriod) {
            this.resyncPeriod = resyncPeriod;
        }
    }

    /**
     * Health-gated primacy: an unhealthy primary hands primacy to a healthy voter (see
     * {@code Cluster.addHealthCheck}).
     */
    public static class Health {

        /**
         * Names of HealthIndicator or CompositeHealthContributor beans whose status must be UP
         * for this node to count as healthy; "db" also finds the bean "dbHealthIndicator".
         */
        private List<String> indicators = new ArrayList<>();

        /** How often the checks run; a check that takes longer fails. */
        @DurationUnit(ChronoUnit.MILLIS)
        private Duration checkInterval = Duration.ofSeconds(1);

        /** How long a node that failed a check must pass them all before it counts as healthy again. */
        @DurationUnit(ChronoUnit.MILLIS)
        private Duration recovery = Duration.ofSeconds(30);

        /** @return the names of the health indicators that gate primacy */
        public List<String> getIndicators() {
            return indicators;
        }

        /** @param indicators the names of the health indicators that gate primacy */
        public void setIndicators(List<String> indicators) {
            this.indicators = indicators;
        }

        /** @return how often the checks run */
        public Duration getCheckInterval() {
            return checkInterval;
        }

        /** @param checkInterval how often the checks run */
        public void setCheckInterval(Duration checkInterval) {
            this.checkInterval = checkInterval;
        }

        /** @return how long a node must pass before it counts as healthy again */
        public Duration getRecovery() {
            return recovery;
        }

        /** @param recovery how long a node must pass before it counts as healthy again */
        public void setRecovery(Duration recovery) {
            this.recovery = recovery;
        }
    }

    // ------------------------------------------------------------------ checked when bound

    /** Only these properties are checked: see {@link #validate}. */
    @Override
    public boolean supports(Class<?> type) {
        return ClusterModeProperties.class.isAssignableFrom(type);
    }

    /**
     * Checks every value as the library will when the cluster starts (no file, socket or lookup is
     * touched but the secret file's readability), and rejects the first bad one with a message
     * naming its property.
     */
    @Override
    public void validate(Object target, Errors errors) {
        ClusterModeProperties properties = (ClusterModeProperties) target;
        if (properties.isEnabled()) {
            ClusterConfigFactory.problem(properties, ClassUtils.getDefaultClassLoader())
                    .ifPresent(problem -> problem.reportTo(errors));
        }
    }

    // ------------------------------------------------------------------ accessors

    /** @return whether the application joins a cluster */
    public boolean isEnabled() {
        return enabled;
    }

    /** @param enabled whether the application joins a cluster */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** @return the cluster's name */
    public String getClusterName() {
        return clusterName;
    }

    /** @param clusterName the cluster's name */
    public void setClusterName(String clusterName) {
        this.clusterName = clusterName;
    }

    /** @return this node's id; null for the one in the data dir, else a random one */
    public String getNodeId() {
        return nodeId;
    }

    /** @param nodeId this node's id */
    public void setNodeId(String nodeId) {
        this.nodeId = nodeId;
    }

    /** @return where the transport listens, host:port */
    public String getBind() {
        return bind;
    }

    /** @param bind where the transport listens, host:port */
    public void setBind(String bind) {
        this.bind = bind;
    }

    /** @return the address peers use; null for the bind address */
    public String getAdvertise() {
        return advertise;
    }

    /** @param advertise the address peers use */
    public void setAdvertise(String advertise) {
        this.advertise = advertise;
    }

    /** @return the data dir; null to keep the state in memory */
    public Path getDataDir() {
        return dataDir;
    }

    /** @param dataDir the data dir */
    public void setDataDir(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** @return where peers come from */
    public Discovery getDiscovery() {
        return discovery;
    }

    /** @param discovery where peers come from */
    public void setDiscovery(Discovery discovery) {
        this.discovery = discovery;
    }

    /** @return static discovery's addresses */
    public List<String> getSeeds() {
        return seeds;
    }

    /** @param seeds static discovery's addresses */
    public void setSeeds(List<String> seeds) {
        this.seeds = seeds;
    }

    /** @return the members needed before a primary is elected */
    public int getMinNodes() {
        return minNodes;
    }

    /** @param minNodes the members needed before a primary is elected */
    public void setMinNodes(int minNodes) {
        this.minNodes = minNodes;
    }

    /** @return the most members */
    public int getMaxNodes() {
        return maxNodes;
    }

    /** @param maxNodes the most members */
    public void setMaxNodes(int maxNodes) {
        this.maxNodes = maxNodes;
    }

    /** @return how many members vote */
    public int getVoters() {
        return voters;
    }

    /** @param voters how many members vote */
    public void setVoters(int voters) {
        this.voters = voters;
    }

    /** @return the primary's heartbeat */
    public Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    /** @param heartbeatInterval the primary's heartbeat */
    public void setHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    /** @return the base election timeout */
    public Duration getElectionTimeout() {
        return electionTimeout;
    }

    /** @param electionTimeout the base election timeout */
    public void setElectionTimeout(Duration electionTimeout) {
        this.electionTimeout = electionTimeout;
    }

    /** @return how often discovery is polled */
    public Duration getUpdateInterval() {
        return updateInterval;
    }

    /** @param updateInterval how often discovery is polled */
    public void setUpdateInterval(Duration updateInterval) {
        this.updateInterval = updateInterval;
    }

    /** @return the connect and handshake limit */
    public Duration getConnectionTimeout() {
        return connectionTimeout;
    }

    /** @param connectionTimeout the connect and handshake limit */
    public void setConnectionTimeout(Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    /** @return the removal grace; null for six update intervals */
    public Duration getRemovalGrace() {
        return removalGrace;
    }

    /** @param removalGrace the removal grace */
    public void setRemovalGrace(Duration removalGrace) {
        this.removalGrace = removalGrace;
    }

    /** @return the cluster secret's file; null for none */
    public Path getClusterSecretFile() {
        return clusterSecretFile;
    }

    /** @param clusterSecretFile the cluster secret's file */
    public void setClusterSecretFile(Path clusterSecretFile) {
        this.clusterSecretFile = clusterSecretFile;
    }

    /** @return whether unauthenticated peers are accepted on a non-loopback bind */
    public boolean isInsecure() {
        return insecure;
    }

    /** @param insecure whether unauthenticated peers are accepted on a non-loopback bind */
    public void setInsecure(boolean insecure) {
        this.insecure = insecure;
    }

    /** @return TLS between nodes */
    public Tls getTls() {
        return tls;
    }

    /** @return DNS discovery */
    public Dns getDns() {
        return dns;
    }

    /** @return Kubernetes discovery */
    public Kubernetes getKubernetes() {
        return kubernetes;
    }

    /** @return health-gated primacy */
    public Health getHealth() {
        return health;
    }
}
