package io.clustermode;

import io.clustermode.discovery.DiscoveryService;
import io.clustermode.discovery.StaticDiscovery;
import io.clustermode.transport.HostPort;
import io.clustermode.transport.TransportFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link Cluster} node runs. Every option has a default that works on one machine;
 * {@link Builder#build()} checks every value and names the option it refuses.
 *
 * <p>Build one with {@link #builder()}; the options and their defaults (the names follow the
 * command line):
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>clusterName</td><td>{@code cluster-mode}</td><td>peers of another name are refused</td></tr>
 *   <tr><td>nodeId</td><td>the one kept in the data dir, else a random one per start</td><td>this node's id</td></tr>
 *   <tr><td>bind</td><td>{@code 0.0.0.0:7600}</td><td>where the transport listens</td></tr>
 *   <tr><td>advertise</td><td>the bind address; when bound to all, the host's first non-loopback IPv4
 *       address (else 127.0.0.1)</td><td>where peers reach it</td></tr>
 *   <tr><td>dataDir</td><td>none: state in memory, lost at exit</td><td>durable log, term, vote, snapshots</td></tr>
 *   <tr><td>discovery</td><td>static, over {@code seeds}</td><td>where members come from</td></tr>
 *   <tr><td>minNodes</td><td>3</td><td>no primary before this many members are known (origin: {@code min_node})</td></tr>
 *   <tr><td>maxNodes</td><td>20</td><td>members beyond this are refused (origin: {@code max_node})</td></tr>
 *   <tr><td>voters</td><td>5</td><td>how many members vote (kept odd, at most the member count); the rest are learners</td></tr>
 *   <tr><td>heartbeatInterval</td><td>100 ms</td><td>the primary's heartbeat</td></tr>
 *   <tr><td>electionTimeout</td><td>1 s</td><td>silence before an election, randomized up to twice that</td></tr>
 *   <tr><td>healthCheckInterval</td><td>1 s</td><td>how often the health checks
 *       ({@link Cluster#addHealthCheck}) run; a check that takes longer fails</td></tr>
 *   <tr><td>healthRecovery</td><td>30 s</td><td>how long a node that failed a health check must pass
 *       them all before it counts as healthy again (so a flapping check does not bounce primacy)</td></tr>
 *   <tr><td>updateInterval</td><td>5 s</td><td>discovery polling (origin: {@code update_interval})</td></tr>
 *   <tr><td>connectionTimeout</td><td>3 s</td><td>connect and handshake (origin: {@code connection_timeout})</td></tr>
 *   <tr><td>removalGrace</td><td>6 update intervals</td><td>how long a member must be missing from discovery
 *       <em>and</em> unreachable before it is removed</td></tr>
 *   <tr><td>tlsCert, tlsKey, tlsCa</td><td>none</td><td>TLS between nodes; mutual with a CA, and then a
 *       peer's certificate must name the node id it claims (CN or a DNS/URI alternative name)</td></tr>
 *   <tr><td>clusterSecretFile</td><td>none</td><td>a shared secret (at least 16 bytes) that peers prove
 *       to each other in the handshake, both ways, before any message is read</td></tr>
 *   <tr><td>insecure</td><td>false</td><td>allow a non-loopback {@code bind} whose peers are not
 *       authenticated (neither mutual TLS nor a cluster secret); without it such a node refuses to
 *       start</td></tr>
 * </table>
 */
public final class ClusterConfig {

    /** The default transport port. */
    public static final int DEFAULT_PORT = 7600;

    final String clusterName;
    final NodeId nodeId;
    final String bind;
    final String advertise;
    final Path dataDir;
    final DiscoveryService discovery;
    final String portName;
    final int minNodes;
    final int maxNodes;
    final int voters;
    final Duration heartbeatInterval;
    final Duration electionTimeout;
    final Duration updateInterval;
    final Duration healthCheckInterval;
    final Duration healthRecovery;
    final Duration connectionTimeout;
    final Duration removalGrace;
    final Path tlsCert;
    final Path tlsKey;
    final Path tlsCa;
    final Path clusterSecretFile;
    final boolean insecure;
    final TransportFactory transportFactory;
    final ClusterObserver observer;

    private ClusterConfig(Builder b) {
        this.clusterName = b.clusterName;
        this.nodeId = b.nodeId;
        this.bind = b.bind;
        this.advertise = b.advertise != null ? b.advertise : defaultAdvertise(b.bind);
        this.dataDir = b.dataDir;
        this.discovery = b.discovery != null ? b.discovery : new StaticDiscovery(b.clusterName, b.seeds);
        this.portName = b.portName;
        this.minNodes = b.minNodes;
        this.maxNodes = b.maxNodes;
        this.voters = b.voters;
        this.heartbeatInterval = b.heartbeatInterval;
        this.electionTimeout = b.electionTimeout;
        this.updateInterval = b.updateInterval;
        this.healthCheckInterval = b.healthCheckInterval;
        this.healthRecovery = b.healthRecovery;
        this.connectionTimeout = b.connectionTimeout;
        this.removalGrace = b.removalGrace != null ? b.removalGrace : b.updateInterval.multipliedBy(6);
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.tlsCa = b.tlsCa;
        this.clusterSecretFile = b.clusterSecretFile;
        this.insecure = b.insecure;
        this.transportFactory = b.transportFactory;
        this.observer = b.observer;
    }

    /**
     * The bind address, or — when it is a wildcard — a concrete address of this host that peers
     * can reach: the first IPv4 address of an interface that is up and not loopback (a pod's
     * IP in Kubernetes), else 127.0.0.1.
     */
    private static String defaultAdvertise(String bind) {
        HostPort address = HostPort.parseListen("bind", bind);
        return address.isWildcard() ? address.withHost(hostAddress()).toString() : bind;
    }

    private static String hostAddress() {
        try {
            for (java.net.NetworkInterface nic : java.util.Collections.list(
                    java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
                    continue;
                }
                for (java.net.InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                    if (address instanceof java.net.Inet4Address && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (java.net.SocketException e) {
            // No interfaces to look at: loopback is all there is.
        }
        return "127.0.0.1";
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The cluster's name. */
    public String clusterName() {
        return clusterName;
    }

    /** The {@code host:port} peers use to reach this node. */
    public String advertise() {
        return advertise;
    }

    /** Nodes that must be known before a primary is elected. */
    public int minNodes() {
        return minNodes;
    }

    /** The most members the cluster takes. */
    public int maxNodes() {
        return maxNodes;
    }

    /** How many members vote (at most). */
    public int voters() {
        return voters;
    }

    /** How often the primary sends heartbeats. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** Silence before an election (the shortest; randomized up to twice this). */
    public Duration electionTimeout() {
        return electionTimeout;
    }

    /** How often the health checks run. */
    public Duration healthCheckInterval() {
        return healthCheckInterval;
    }

    /** How long a node that failed a health check must pass them before it counts as healthy again. */
    public Duration healthRecovery() {
        return healthRecovery;
    }

    /** How often discovery is polled. */
    public Duration updateInterval() {
        return updateInterval;
    }

    /**
     * The worst case, from these settings, between a primary dying and a new one being known:
     * followers notice its silence within twice the election timeout (the randomized upper
     * bound), then a pre-vote and a vote round trip and one heartbeat to tell everyone.
     */
    public Duration failoverBudget() {
        // In nanoseconds: Duration.multipliedBy goes through BigDecimal, and the HTTP API asks per request.
        return Duration.ofNanos(2 * electionTimeout.toNanos() + 2 * heartbeatInterval.toNanos());
    }

    /** Builds a {@link ClusterConfig}. Not thread-safe. */
    public static final class Builder {
        private String clusterName = "cluster-mode";
        private NodeId nodeId;
        private String bind = "0.0.0.0:" + DEFAULT_PORT;
        private String advertise;
        private Path dataDir;
        private DiscoveryService discovery;
        private List<String> seeds = List.of();
        private String portName = StaticDiscovery.PORT_NAME;
        private int minNodes = 3;
        private int maxNodes = 20;
        private int voters = 5;
        private Duration heartbeatInterval = Duration.ofMillis(100);
        private Duration electionTimeout = Duration.ofSeconds(1);
        private Duration updateInterval = Duration.ofSeconds(5);
        private Duration healthCheckInterval = Duration.ofSeconds(1);
        private Duration healthRecovery = Duration.ofSeconds(30);
        private Duration connectionTimeout = Duration.ofSeconds(3);
        private Duration removalGrace;
        private Path tlsCert;
        private Path tlsKey;
        private Path tlsCa;
        private Path clusterSecretFile;
        private boolean insecure;
        private TransportFactory transportFactory;
        private ClusterObserver observer = ClusterObserver.NONE;

        private Builder() {
        }

        /** The cluster's name, 1 to 128 characters; peers of another name are refused. Default {@code cluster-mode}. */
        public Builder clusterName(String name) {
            this.clusterName = name;
            return this;
        }

        /** This node's id. Default: the one kept in the data dir, else a random {@code node-xxxxxxxx} per start. */
        public Builder nodeId(NodeId id) {
            this.nodeId = id;
            return this;
        }

        /** {@code host:port} to listen on. */
        public Builder bind(String hostPort) {
            this.bind = hostPort;
            return this;
        }

        /** {@code host:port} peers use to reach this node. */
        public Builder advertise(String hostPort) {
            this.advertise = hostPort;
            return this;
        }

        /** Where the log, term, vote and snapshots are kept durably (created 0700). Default: none, state in memory. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Where members come from. Default: static discovery over {@link #seeds}. */
        public Builder discovery(DiscoveryService service) {
            this.discovery = service;
            return this;
        }

        /** For static discovery: the transport addresses of the instances ({@code host:port}, may include this node). */
        public Builder seeds(List<String> hostPorts) {
            this.seeds = List.copyOf(hostPorts);
            return this;
        }

        /** Which named port of a discovered instance is its transport. Default {@code cluster}. */
        public Builder portName(String name) {
            this.portName = name;
            return this;
        }

        /** No primary is elected before this many nodes are known (1 to 100). Default 3. */
        public Builder minNodes(int count) {
            this.minNodes = count;
            return this;
        }

        /** Members beyond this many are not added (at least {@code minNodes}). Default 20. */
        public Builder maxNodes(int count) {
            this.maxNodes = count;
            return this;
        }

        /** How many members vote, kept odd and at most the member count; the others are learners. Default 5. */
        public Builder voters(int count) {
            this.voters = count;
            return this;
        }

        /** How often the primary sends heartbeats; less than half the election timeout. Default 100 ms. */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = interval;
            return this;
        }

        /** Silence before a secondary starts an election, randomized up to twice this. Default 1 s. */
        public Builder electionTimeout(Duration timeout) {
            this.electionTimeout = timeout;
            return this;
        }

        /**
         * How often the health checks ({@link Cluster#addHealthCheck}) run; a check that takes
         * longer than this counts as failing. Default 1 s.
         */
        public Builder healthCheckInterval(Duration interval) {
            this.healthCheckInterval = interval;
            return this;
        }

        /**
         * How long a node that failed a health check must pass them all before it counts as
         * healthy again: a primary that handed over is not healthy again, and so not primary,
         * for at least this long. Default 30 s.
         */
        public Builder healthRecovery(Duration recovery) {
            this.healthRecovery = recovery;
            return this;
        }

        /** How often discovery is polled and the membership reconciled. Default 5 s. */
        public Builder updateInterval(Duration interval) {
            this.updateInterval = interval;
            return this;
        }

        /** Limit for connecting to a peer and completing the handshake. Default 3 s. */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = timeout;
            return this;
        }

        /** How long a member must be missing from discovery and unreachable before it is removed. Default 6 update intervals. */
        public Builder removalGrace(Duration grace) {
            this.removalGrace = grace;
            return this;
        }

        /** TLS between nodes from PEM files; mutual when {@code ca} is given (it may be null). */
        public Builder tls(Path cert, Path key, Path ca) {
            this.tlsCert = cert;
            this.tlsKey = key;
            this.tlsCa = ca;
            return this;
        }

        /**
         * A file holding the cluster's shared secret (at least 16 bytes; trailing white space is
         * ignored). Peers prove they hold it to each other in the handshake (an HMAC challenge
         * over fresh nonces, both ways) before any message is accepted. Default: none.
         */
        public Builder clusterSecretFile(Path file) {
            this.clusterSecretFile = file;
            return this;
        }

        /**
         * Allows a {@code bind} address other than loopback with neither mutual TLS nor a cluster
         * secret: anyone who reaches the port can then speak as any node. Default false: such a
         * node refuses to start.
         */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /** Observes the node's event loop (storage latency), for metrics. */
        public Builder observer(ClusterObserver clusterObserver) {
            this.observer = java.util.Objects.requireNonNull(clusterObserver, "observer");
            return this;
        }

        /** The transport to use; by default the one on the class path (Netty). For tests. */
        public Builder transportFactory(TransportFactory factory) {
            this.transportFactory = factory;
            return this;
        }

        /**
         * Checks every value.
         *
         * @throws IllegalArgumentException naming the first option whose value is unusable
         */
        public ClusterConfig build() {
            require(clusterName != null && !clusterName.isBlank(), "clusterName must not be blank");
            // Port 0 (any free port) only where the node listens; peers need a real port.
            HostPort listen = HostPort.parseListen("bind", bind);
            if (advertise != null) {
                HostPort.parse("advertise", advertise);
            }
            require(discovery != null || seeds != null, "seeds must not be null");
            require(portName != null && !portName.isBlank(), "portName must not be blank");
            require(minNodes >= 1, "minNodes must be at least 1, was " + minNodes);
            require(maxNodes >= minNodes, "maxNodes (" + maxNodes + ") must be at least minNodes (" + minNodes + ")");
            require(voters >= 1, "voters must be at least 1, was " + voters);
            requirePositive("heartbeatInterval", heartbeatInterval);
            requirePositive("electionTimeout", electionTimeout);
            requirePositive("updateInterval", updateInterval);
            requirePositive("healthCheckInterval", healthCheckInterval);
            requirePositive("healthRecovery", healthRecovery);
            requirePositive("connectionTimeout", connectionTimeout);
            if (removalGrace != null) {
                requirePositive("removalGrace", removalGrace);
            }
            // A heartbeat must arrive several times per election timeout, or a busy moment
            // (a GC pause, a slow disk) starts needless elections.
            require(heartbeatInterval.multipliedBy(3).compareTo(electionTimeout) <= 0, "heartbeatInterval ("
                    + heartbeatInterval.toMillis() + " ms) must be at most a third of electionTimeout ("
                    + electionTimeout.toMillis() + " ms)");
            require(electionTimeout.compareTo(Duration.ofMillis(30)) >= 0, "electionTimeout ("
                    + electionTimeout.toMillis() + " ms) must be at least 30 ms");
            require((tlsCert == null) == (tlsKey == null), "tlsCert and tlsKey go together");
            require(tlsCa == null || tlsCert != null, "tlsCa needs tlsCert and tlsKey");
            require(clusterSecretFile == null || java.nio.file.Files.isReadable(clusterSecretFile),
                    "clusterSecretFile " + clusterSecretFile + " cannot be read");
            // Secure by default: on a network, a node that believes whoever connects can be
            // deposed, or made to lose acknowledged writes, by one forged packet.
            require(listen.isLoopback() || tlsCa != null || clusterSecretFile != null || insecure, "bind " + bind
                    + " is not a loopback address, and peers would not be authenticated: give clusterSecretFile "
                    + "(a shared secret) or mutual TLS (tlsCert, tlsKey, tlsCa), or set insecure to accept any peer");
            return new ClusterConfig(this);
        }

        private static void requirePositive(String option, Duration value) {
            require(value != null && !value.isNegative() && !value.isZero(), option + " must be positive, was "
                    + value);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    @Override
    public String toString() {
        return "ClusterConfig{clusterName=" + clusterName + ", nodeId=" + nodeId + ", bind=" + bind + ", advertise="
                + advertise + ", dataDir=" + dataDir + ", minNodes=" + minNodes + ", maxNodes=" + maxNodes
                + ", voters=" + voters + ", heartbeat=" + heartbeatInterval.toMillis() + "ms, election="
                + electionTimeout.toMillis() + "ms, update=" + updateInterval.toMillis() + "ms}";
    }
}
